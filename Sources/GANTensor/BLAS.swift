// Every BLAS call of the project lives in this file: OpenBLAS through CBLAS on Linux,
// Accelerate on macOS.
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

public enum Transpose: Sendable {
    case none, transposed
    #if canImport(Accelerate)
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    #else
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    #endif
}

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
public enum BLASThreads {
    public static func set(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(count > 0 ? count : Int(openblas_get_num_procs())))
        #endif
    }

    public static var current: Int {
        #if canImport(Accelerate)
        return 1
        #else
        return Int(openblas_get_num_threads())
        #endif
    }
}
