import Foundation

/// Row-wise softmax and log-softmax, stable for large magnitudes (the row max is subtracted
/// before `exp`), forward and backward side by side.

@inline(__always)
func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = F8(repeating: -.infinity)
    var i = 0
    while i + 8 <= n { let v = load8(x + i); acc.replace(with: v, where: v .> acc); i += 8 }
    var m = acc.max()
    while i < n { m = max(m, x[i]); i += 1 }
    return m
}

/// y = exp(x − shift), returning Σ y.
@inline(__always)
func expShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ shift: Float) -> Float {
    var acc = F8()
    var i = 0
    let s = F8(repeating: shift)
    while i + 8 <= n {
        let e = vexp(load8(x + i) - s)
        store8(e, y + i)
        acc += e
        i += 8
    }
    var total = acc.sum()
    while i < n { y[i] = vexp(x[i] - shift); total += y[i]; i += 1 }
    return total
}

/// y[r, :] = softmax(x[r, :]); y may alias x.
public func softmaxForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let xr = x + r * cols, yr = y + r * cols
        let total = expShifted(xr, yr, cols, rowMax(xr, cols))
        scale(yr, 1 / total, cols)
    }
}

/// dx = y ⊙ (dy − Σ dy⊙y), row-wise, from the forward output y.
public func softmaxBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                            rows: Int, cols: Int) {
    for r in 0..<rows {
        let yr = y + r * cols, dyr = dy + r * cols, dxr = dx + r * cols
        let inner = dot(yr, dyr, cols)
        for c in 0..<cols { dxr[c] = yr[c] * (dyr[c] - inner) }
    }
}

/// y[r, :] = x[r, :] − logΣexp(x[r, :]); y may alias x.
public func logSoftmaxForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                              scratch: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let xr = x + r * cols, yr = y + r * cols
        let m = rowMax(xr, cols)
        let logTotal = m + Foundation.log(expShifted(xr, scratch, cols, m))
        for c in 0..<cols { yr[c] = xr[c] - logTotal }
    }
}

/// dx = dy − softmax(x)·Σ dy, row-wise, from the forward output y = log-softmax(x).
public func logSoftmaxBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                               rows: Int, cols: Int) {
    for r in 0..<rows {
        let yr = y + r * cols, dyr = dy + r * cols, dxr = dx + r * cols
        let total = sum(dyr, cols)
        for c in 0..<cols { dxr[c] = dyr[c] - vexp(yr[c]) * total }
    }
}

extension Tensor {
    /// Softmax over the last axis, into a new tensor.
    public func softmax() -> Tensor {
        let y = Tensor(zeros: shape)
        softmaxForward(data, y.data, rows: rows, cols: cols)
        return y
    }

    /// Log-softmax over the last axis, into a new tensor.
    public func logSoftmax() -> Tensor {
        let y = Tensor(zeros: shape)
        let scratch = Tensor(zeros: [cols])
        logSoftmaxForward(data, y.data, rows: rows, cols: cols, scratch: scratch.data)
        return y
    }
}
