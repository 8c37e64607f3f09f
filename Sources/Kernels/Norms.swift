import Foundation

/// RMSNorm and LayerNorm over the last axis, forward and backward side by side. Forward
/// returns the per-row reciprocal standard deviation, which is all backward needs besides x.

/// y = x / sqrt(mean(x²) + eps) ⊙ w; writes rstd[r].
public func rmsNormForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                           rstd: UnsafeMutablePointer<Float>, rows: Int, cols: Int, eps: Float = 1e-5) {
    for r in 0..<rows {
        let xr = x + r * cols, yr = y + r * cols
        let s = 1 / (dot(xr, xr, cols) / Float(cols) + eps).squareRoot()
        rstd[r] = s
        for c in 0..<cols { yr[c] = xr[c] * s * w[c] }
    }
}

/// dx = rstd·(dy⊙w − x·rstd²·mean(dy⊙w⊙x)); dw += Σ_rows dy⊙x·rstd.
public func rmsNormBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                            _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
                            rows: Int, cols: Int) {
    for r in 0..<rows {
        let xr = x + r * cols, dyr = dy + r * cols, dxr = dx + r * cols
        let s = rstd[r]
        var acc: Float = 0
        for c in 0..<cols { acc += dyr[c] * w[c] * xr[c] }
        let k = s * s * acc / Float(cols)
        for c in 0..<cols {
            dxr[c] = s * (dyr[c] * w[c] - xr[c] * k)
            dw[c] += dyr[c] * xr[c] * s
        }
    }
}

/// y = (x − mean)·rstd ⊙ w + b (biased variance); writes mean[r] and rstd[r].
public func layerNormForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                             _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                             rows: Int, cols: Int, eps: Float = 1e-5) {
    for r in 0..<rows {
        let xr = x + r * cols, yr = y + r * cols
        let mu = sum(xr, cols) / Float(cols)
        var v: Float = 0
        for c in 0..<cols { let d = xr[c] - mu; v += d * d }
        let s = 1 / (v / Float(cols) + eps).squareRoot()
        mean[r] = mu
        rstd[r] = s
        for c in 0..<cols { yr[c] = (xr[c] - mu) * s * w[c] + b[c] }
    }
}

/// With x̂ = (x − mean)·rstd and g = dy⊙w: dx = rstd·(g − mean(g) − x̂·mean(g⊙x̂));
/// dw += Σ dy⊙x̂; db += Σ dy.
public func layerNormBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                              mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ dw: UnsafeMutablePointer<Float>, _ db: UnsafeMutablePointer<Float>,
                              rows: Int, cols: Int) {
    for r in 0..<rows {
        let xr = x + r * cols, dyr = dy + r * cols, dxr = dx + r * cols
        let mu = mean[r], s = rstd[r]
        var gMean: Float = 0, gxMean: Float = 0
        for c in 0..<cols {
            let g = dyr[c] * w[c], xhat = (xr[c] - mu) * s
            gMean += g
            gxMean += g * xhat
        }
        gMean /= Float(cols)
        gxMean /= Float(cols)
        for c in 0..<cols {
            let xhat = (xr[c] - mu) * s
            dxr[c] = s * (dyr[c] * w[c] - gMean - xhat * gxMean)
            dw[c] += dyr[c] * xhat
            db[c] += dyr[c]
        }
    }
}
