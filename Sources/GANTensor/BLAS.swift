// Every BLAS call of the project lives in this file: OpenBLAS through CBLAS on Linux,
// Accelerate on macOS.
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Transpose: Sendable, Hashable {
    case none, transposed
    #if canImport(Accelerate)
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    #else
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    #endif
}

/// One matrix product's shape, as the benchmark records it.
public struct GEMMShape: Hashable, Sendable, CustomStringConvertible {
    public let transA: Transpose, transB: Transpose
    public let m: Int, n: Int, k: Int
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    public var description: String {
        "\(m)x\(k)\(transA == .none ? "" : "^T") * \(k)x\(n)\(transB == .none ? "" : "^T")"
    }
}

/// When set, every sgemm appends its shape here (for `gan bench`'s FLOP count and BLAS limit).
/// Single-threaded use only; nil (the default) costs one branch per product.
nonisolated(unsafe) public var gemmRecorder: [GEMMShape]? = nil

/// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C, all row-major.
/// `lda`/`ldb`/`ldc` default to the packed row lengths.
@inline(__always)
public func sgemm(_ transA: Transpose, _ transB: Transpose,
                  m: Int, n: Int, k: Int,
                  alpha: Float, a: UnsafePointer<Float>, lda: Int? = nil,
                  b: UnsafePointer<Float>, ldb: Int? = nil,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
    let lda = lda ?? (transA == .none ? k : m)
    let ldb = ldb ?? (transB == .none ? n : k)
    let ldc = ldc ?? n
    if gemmRecorder != nil { gemmRecorder!.append(GEMMShape(transA: transA, transB: transB, m: m, n: n, k: k)) }
    BLASThreads.fit(macs: m * n * k)
    cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
}

/// y += alpha * x over `count` floats.
@inline(__always)
public func saxpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
    cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
}

/// The number of threads BLAS uses; 0 or less means "all cores".
///
/// With several threads allowed, products smaller than `parallelThreshold` multiply-adds run on
/// one thread: waking a second thread costs more than it saves on the seed model's small
/// matrices. Which products get how many threads depends only on their shapes, so results
/// stay reproducible for a given thread setting.
public enum BLASThreads {
    nonisolated(unsafe) static var allowed: Int32 = 1
    nonisolated(unsafe) static var current: Int32 = 0
    /// Multiply-adds below which a product runs on one thread; `GAN_BLAS_PARALLEL_MACS` overrides.
    public static let parallelThreshold: Int = {
        if let text = getenv("GAN_BLAS_PARALLEL_MACS"), let value = Int(String(cString: text)) { return value }
        return 32_000_000
    }()

    public static func set(_ count: Int) {
        #if !canImport(Accelerate)
        allowed = Int32(count > 0 ? count : Int(openblas_get_num_procs()))
        current = 0
        fit(macs: .max)
        #endif
    }

    @inline(__always)
    static func fit(macs: Int) {
        #if !canImport(Accelerate)
        let wanted: Int32 = macs < parallelThreshold ? 1 : allowed
        if wanted != current {
            openblas_set_num_threads(wanted)
            current = wanted
        }
        #endif
    }

    /// The thread count large products use.
    public static var configured: Int { Int(allowed) }
}
