#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func _log(_ x: Double) -> Double { log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { sin(x) }

/// log(1 + exp(x)) without overflow for large x or loss of precision for very negative x.
@inline(__always)
public func softplus(_ x: Float) -> Float {
    x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x))
}

/// 1 / (1 + exp(-x)), evaluated so that neither branch overflows.
@inline(__always)
public func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

@inline(__always) public func tanhFloat(_ x: Float) -> Float { tanhf(x) }
@inline(__always) public func logFloat(_ x: Float) -> Float { logf(x) }
@inline(__always) public func powFloat(_ x: Float, _ y: Float) -> Float { powf(x, y) }
