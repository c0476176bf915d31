#if !canImport(Accelerate)
import CGEMM
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits an elementwise loop over [0, count) among the calling thread's product threads
/// (`BLASThreads.current`), on the workers that split matrix products: on two threads the
/// activations, maxout's max over pieces and the optimizers' updates no longer leave a core idle
/// between products. Blocks are whole multiples of `granularity` (a row, a SIMD width) and each
/// iteration must depend on nothing another computes, so the result is the same on any number of
/// threads. Loops of fewer than `ParallelLoop.minimumCount` elements (iterations times `cost`, the
/// elements one iteration touches) run on the caller: handing work over costs a few microseconds.
/// A split product or loop started inside `body` runs on its own thread alone (the workers serve
/// one job at a time).
@inline(__always)
public func parallelFor(_ count: Int, granularity: Int = 1, cost: Int = 1, _ body: (Range<Int>) -> Void) {
    #if canImport(Accelerate)
    body(0..<count)
    #else
    let threads = ganzoo_gemm_threads()
    guard threads > 1, count.multipliedReportingOverflow(by: cost).partialValue >= ParallelLoop.minimumCount,
          count <= Int(Int32.max) else {
        body(0..<count)
        return
    }
    ParallelLoop.run(count, threads: Int(threads), granularity: granularity, body)
    #endif
}

public enum ParallelLoop {
    /// Elements from which a loop is split (about 20 microseconds of work);
    /// `GAN_PARALLEL_MIN_COUNT` overrides.
    public static let minimumCount: Int = {
        if let text = getenv("GAN_PARALLEL_MIN_COUNT"), let value = Int(String(cString: text)), value > 0 { return value }
        return 32_768
    }()

    #if !canImport(Accelerate)
    @usableFromInline
    static func run(_ count: Int, threads: Int, granularity: Int, _ body: (Range<Int>) -> Void) {
        withoutActuallyEscaping(body) { body in
            var closure = body
            withUnsafeMutablePointer(to: &closure) { pointer in
                ganzoo_parallel_for(Int32(count), Int32(threads), Int32(max(1, granularity)), { context, start, end in
                    let body = context!.assumingMemoryBound(to: ((Range<Int>) -> Void).self).pointee
                    body(Int(start)..<Int(end))
                }, pointer)
            }
        }
    }
    #endif
}
