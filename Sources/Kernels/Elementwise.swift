/// Element-wise and row-wise helpers on SIMD8 lanes. Swift does not reorder float sums, so
/// every reduction keeps explicit SIMD accumulators (about 5x a scalar loop).
/// Multiply and add stay separate (`a * b + c`, not `addingProduct`): on a baseline x86-64
/// build a fused multiply-add becomes one libm `fmaf` call per lane, 20-50x slower. The
/// Makefile adds `-target-cpu` for the build machine when it has AVX2 and FMA.

public typealias F8 = SIMD8<Float>

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> F8 {
    UnsafeRawPointer(p).loadUnaligned(as: F8.self)
}

@inline(__always) func store8(_ v: F8, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self)
}

/// Σ x[i]·y[i] over `n` floats.
@inline(__always)
public func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc0 = F8(), acc1 = F8()
    var i = 0
    while i + 16 <= n {
        acc0 += load8(x + i) * load8(y + i)
        acc1 += load8(x + i + 8) * load8(y + i + 8)
        i += 16
    }
    if i + 8 <= n { acc0 += load8(x + i) * load8(y + i); i += 8 }
    var s = (acc0 + acc1).sum()
    while i < n { s += x[i] * y[i]; i += 1 }
    return s
}

/// Σ x[i] over `n` floats.
@inline(__always)
public func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = F8()
    var i = 0
    while i + 8 <= n { acc += load8(x + i); i += 8 }
    var s = acc.sum()
    while i < n { s += x[i]; i += 1 }
    return s
}

/// y[i] += a·x[i]
@inline(__always)
public func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    let av = F8(repeating: a)
    while i + 8 <= n { store8(load8(y + i) + av * load8(x + i), y + i); i += 8 }
    while i < n { y[i] += a * x[i]; i += 1 }
}

/// x[i] *= a
@inline(__always)
public func scale(_ x: UnsafeMutablePointer<Float>, _ a: Float, _ n: Int) { scale(x, a, into: x, n) }

/// y = a·x (y is overwritten, so it may be uninitialised; it may also be x).
@inline(__always)
public func scale(_ x: UnsafePointer<Float>, _ a: Float, into y: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    let av = F8(repeating: a)
    while i + 8 <= n { store8(load8(x + i) * av, y + i); i += 8 }
    while i < n { y[i] = x[i] * a; i += 1 }
}

/// out[i] = x[i] + y[i] (out may alias x or y).
public func add(_ x: Tensor, _ y: Tensor, into out: Tensor) {
    precondition(x.count == y.count && x.count == out.count, "add: shapes \(x.shape) and \(y.shape) into \(out.shape)")
    let n = x.count, a = x.data, b = y.data, o = out.data
    var i = 0
    while i + 8 <= n { store8(load8(a + i) + load8(b + i), o + i); i += 8 }
    while i < n { o[i] = a[i] + b[i]; i += 1 }
}

/// x += y
public func addInPlace(_ x: Tensor, _ y: Tensor) { add(x, y, into: x) }

/// Adds `v` [cols] to every row of `x` [rows, cols].
public func addRowVector(_ x: Tensor, _ v: Tensor) {
    precondition(v.count == x.cols, "addRowVector: vector \(v.shape) for rows of \(x.shape)")
    for r in 0..<x.rows { axpy(1, v.data, x.data + r * x.cols, x.cols) }
}

/// out[c] (+)= Σ_r x[r, c]: the gradient of a broadcast row vector.
public func sumRows(_ x: Tensor, into out: Tensor, accumulate: Bool) {
    precondition(out.count == x.cols, "sumRows: \(x.shape) into \(out.shape)")
    if !accumulate { out.zero() }
    for r in 0..<x.rows { axpy(1, x.data + r * x.cols, out.data, x.cols) }
}

/// Σ x² over the tensor (for gradient norms).
public func sumOfSquares(_ x: Tensor) -> Float { dot(x.data, x.data, x.count) }
