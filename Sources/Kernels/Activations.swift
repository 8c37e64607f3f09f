import Foundation

/// SiLU, GELU (tanh and erf forms) and the SwiGLU gate, forward and backward side by side.
/// Backward takes the forward input and the upstream gradient; nothing else is kept.

private let geluC: Float = 0.797_884_56  // sqrt(2/π)
private let geluA: Float = 0.044_715

/// y = x·σ(x)
public func siluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    mapSIMD(x, y, n) { $0 * vsigmoid($0) }
}

/// dx = dy·σ(x)·(1 + x·(1 − σ(x)))
public func siluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n {
        let xv = load8(x + i), s = vsigmoid(xv)
        store8(load8(dy + i) * s * (1 + xv * (1 - s)), dx + i)
        i += 8
    }
    while i < n {
        let s = vsigmoid(F8(repeating: x[i]))[0]
        dx[i] = dy[i] * s * (1 + x[i] * (1 - s))
        i += 1
    }
}

/// y = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
public func geluTanhForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    mapSIMD(x, y, n) { x in 0.5 * x * (1 + vtanh(geluC * (x + geluA * x * x * x))) }
}

public func geluTanhBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
    @inline(__always) func grad(_ v: F8) -> F8 {
        let v2: F8 = v * v
        let t: F8 = vtanh(geluC * (v + geluA * v2 * v))
        let outer: F8 = 0.5 * (1 + t)
        let inner: F8 = 0.5 * v * (1 - t * t) * (geluC * (1 + 3 * geluA * v2))
        return outer + inner
    }
    var i = 0
    while i + 8 <= n { store8(load8(dy + i) * grad(load8(x + i)), dx + i); i += 8 }
    while i < n { dx[i] = dy[i] * grad(F8(repeating: x[i]))[0]; i += 1 }
}

/// y = ½x(1 + erf(x/√2)); libm's erf is scalar, which is fine off the hot path (the encoders
/// use the tanh form).
public func geluErfForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = 0.5 * x[i] * (1 + erf(x[i] * 0.707_106_78)) }
}

public func geluErfBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n {
        let v = x[i]
        let pdf = Foundation.exp(-0.5 * v * v) * 0.398_942_28  // 1/√(2π)
        dx[i] = dy[i] * (0.5 * (1 + erf(v * 0.707_106_78)) + v * pdf)
    }
}

/// The SwiGLU gate on the hidden layer: h = silu(a) ⊙ b, with a = x·W1 and b = x·W3.
public func swigluForward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ h: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n {
        let av = load8(a + i)
        store8(av * vsigmoid(av) * load8(b + i), h + i)
        i += 8
    }
    while i < n { let s = vsigmoid(F8(repeating: a[i]))[0]; h[i] = a[i] * s * b[i]; i += 1 }
}

/// da = dh ⊙ b ⊙ silu′(a), db = dh ⊙ silu(a).
public func swigluBackward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dh: UnsafePointer<Float>,
                           _ da: UnsafeMutablePointer<Float>, _ db: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n {
        let av = load8(a + i), bv = load8(b + i), g = load8(dh + i)
        let s = vsigmoid(av)
        store8(g * bv * s * (1 + av * (1 - s)), da + i)
        store8(g * av * s, db + i)
        i += 8
    }
    while i < n {
        let s = vsigmoid(F8(repeating: a[i]))[0]
        da[i] = dh[i] * b[i] * s * (1 + a[i] * (1 - s))
        db[i] = dh[i] * a[i] * s
        i += 1
    }
}
