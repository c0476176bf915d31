// Every BLAS call of the project lives in this file: OpenBLAS through CBLAS on Linux,
// Accelerate on macOS.
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
import CGEMM
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

/// When set, every sgemm on the thread that set it appends its shape here (for `gan bench`'s
/// FLOP count and BLAS limit); products on other threads are not recorded. nil (the default)
/// costs one branch per product.
nonisolated(unsafe) public var gemmRecorder: [GEMMShape]? = nil {
    didSet { gemmRecorderThread = pthread_self() }
}
nonisolated(unsafe) private var gemmRecorderThread = pthread_self()

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
    if gemmRecorder != nil, pthread_equal(gemmRecorderThread, pthread_self()) != 0 {
        gemmRecorder!.append(GEMMShape(transA: transA, transB: transB, m: m, n: n, k: k))
    }
    #if canImport(Accelerate)
    cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
    #else
    BLASThreads.singleThreadedOpenBLAS
    let threads = m * n * k >= BLASThreads.parallelThreshold ? ganzoo_gemm_threads() : 1
    ganzoo_parallel_sgemm(transA == .none ? 0 : 1, transB == .none ? 0 : 1, Int32(m), Int32(n), Int32(k), alpha,
                          a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc), threads)
    #endif
}

/// y += alpha * x over `count` floats.
@inline(__always)
public func saxpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
    cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
}

/// How many threads a matrix product uses; 0 or less means "all cores".
///
/// OpenBLAS itself always runs single-threaded: a product of at least `parallelThreshold`
/// multiply-adds is split into that many column (or row) blocks computed concurrently
/// (`ganzoo_parallel_sgemm`). On this project's 2-core machine OpenBLAS's own threads made the
/// seed model's products 2-7x slower, the split 1.5-2.3x faster. The blocks depend only on the
/// shapes and the thread count, so results are reproducible for a given setting.
/// The setting belongs to the calling thread: a training session sets it where it runs.
public enum BLASThreads {
    /// Multiply-adds from which a product is split; `GAN_BLAS_PARALLEL_MACS` overrides.
    public static let parallelThreshold: Int = {
        if let text = getenv("GAN_BLAS_PARALLEL_MACS"), let value = Int(String(cString: text)) { return value }
        return 262_144
    }()

    /// OpenBLAS's own thread count is process-wide, and a multithreaded call that finds its
    /// pool busy (another thread's call) runs differently; so it is 1 from the first product on,
    /// whether or not anyone called `set`.
    static let singleThreadedOpenBLAS: Void = {
        #if !canImport(Accelerate)
        openblas_set_num_threads(1)
        #endif
    }()

    /// The calling thread's thread count (1 with Accelerate, which picks its own threads).
    public static var current: Int {
        #if canImport(Accelerate)
        return 1
        #else
        return Int(ganzoo_gemm_threads())
        #endif
    }

    public static func set(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(1)
        ganzoo_set_gemm_threads(Int32(resolved(count)))
        #endif
    }

    /// The thread count a setting means: `count` itself, or the number of cores for 0 (or less).
    /// With Accelerate (macOS) the setting does nothing: Accelerate picks its own threads.
    public static func resolved(_ count: Int) -> Int {
        if count > 0 { return count }
        #if canImport(Accelerate)
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return max(1, Int(openblas_get_num_procs()))
        #endif
    }

    /// The BLAS in use, for `gan --version`: OpenBLAS's version and build configuration (its
    /// `openblas_get_config()`, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64")
    /// and the kernel it picked for this CPU; or Accelerate.
    public static var library: String {
        #if canImport(Accelerate)
        return "Accelerate (Apple; --threads does nothing there)"
        #else
        let config = openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS (configuration unknown)"
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        let threading = [0: "sequential", 1: "pthreads", 2: "OpenMP"][openblas_get_parallel()] ?? "unknown threading"
        return "\(config) (kernel \(core), \(threading)); gan runs it single-threaded and splits large products itself"
        #endif
    }

}

// MARK: Double precision, for the evaluation's statistics (covariances of classifier features)

/// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C in Double, row-major, packed rows,
/// on OpenBLAS's single thread (the matrices are a few hundred wide).
public func dgemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                  alpha: Double, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
                  beta: Double, c: UnsafeMutablePointer<Double>) {
    #if !canImport(Accelerate)
    BLASThreads.singleThreadedOpenBLAS
    #endif
    cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(transA == .none ? k : m), b, Int32(transB == .none ? n : k), beta, c, Int32(n))
}

/// C[n,n] = alpha * A^T A for A [k, n] row-major, both triangles filled (BLAS dsyrk computes the
/// upper one, which is then mirrored).
public func dsyrkTransposed(n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>) {
    #if !canImport(Accelerate)
    BLASThreads.singleThreadedOpenBLAS
    #endif
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), alpha, a, Int32(n), 0, c, Int32(n))
    for i in 0..<n { for j in (i + 1)..<n { c[j * n + i] = c[i * n + j] } }
}

/// The eigenvalues (ascending) of the symmetric n x n `matrix` (row-major; its upper triangle
/// is read), by LAPACK's divide-and-conquer `dsyevd`. With `vectors`, `matrix` is overwritten
/// with the eigenvectors, one per row, in the eigenvalues' order; otherwise it is destroyed.
/// nil when LAPACK reports no convergence (or a NaN in the input).
public func symmetricEigen(_ matrix: inout [Double], n: Int, vectors: Bool) -> [Double]? {
    precondition(matrix.count == n * n && n > 0, "symmetricEigen: \(matrix.count) values for n = \(n)")
    #if !canImport(Accelerate)
    BLASThreads.singleThreadedOpenBLAS
    #endif
    // The workspace sizes LAPACK documents as sufficient (no size query needed).
    let workCount = vectors ? 1 + 6 * n + 2 * n * n : 2 * n + 1
    let integerWorkCount = vectors ? 3 + 5 * n : 1
    var values = [Double](repeating: 0, count: n)
    var work = [Double](repeating: 0, count: workCount)
    // Row-major upper = column-major lower: LAPACK reads "L".
    var jobz = CChar(UInt8(ascii: vectors ? "V" : "N")), uplo = CChar(UInt8(ascii: "L"))
    #if canImport(Accelerate)
    var size = __CLPK_integer(n), lda = __CLPK_integer(n), info: __CLPK_integer = 0
    var lwork = __CLPK_integer(workCount), liwork = __CLPK_integer(integerWorkCount)
    var integerWork = [__CLPK_integer](repeating: 0, count: integerWorkCount)
    _ = dsyevd_(&jobz, &uplo, &size, &matrix, &lda, &values, &work, &lwork, &integerWork, &liwork, &info)
    #else
    var size = Int32(n), lda = Int32(n), info: Int32 = 0
    var lwork = Int32(workCount), liwork = Int32(integerWorkCount)
    var integerWork = [Int32](repeating: 0, count: integerWorkCount)
    dsyevd_(&jobz, &uplo, &size, &matrix, &lda, &values, &work, &lwork, &integerWork, &liwork, &info, 1, 1)
    #endif
    precondition(info >= 0, "dsyevd: argument \(-info) is invalid")
    return info == 0 ? values : nil
}
