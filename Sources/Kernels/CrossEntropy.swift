import Foundation

/// Mean next-token cross-entropy with PyTorch's ignore index, forward and backward fused: the
/// gradient (softmax − one-hot)/count is written into `dlogits` in the same pass, since the
/// softmax is already in hand.
public let ignoreIndex: Int32 = -100

/// Returns the summed loss over non-ignored rows and their count; writes `dlogits` scaled by
/// `gradScale` (pass 1/count for the mean, or a smaller factor under gradient accumulation).
/// Rows with target `ignoreIndex` get zero gradient. `dlogits` may alias `logits`.
@discardableResult
public func crossEntropy(_ logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int, cols: Int,
                         dlogits: UnsafeMutablePointer<Float>?, gradScale: Float) -> (sum: Double, count: Int) {
    var total = 0.0, count = 0
    for r in 0..<rows {
        let t = targets[r]
        let x = logits + r * cols
        guard t != ignoreIndex else {
            dlogits.map { ($0 + r * cols).update(repeating: 0, count: cols) }
            continue
        }
        precondition(t >= 0 && Int(t) < cols, "target \(t) outside the vocabulary of \(cols)")
        let m = rowMax(x, cols)
        // logΣexp without a scratch row: exp sums into dlogits when given, else into a running sum.
        var z: Float = 0
        if let d = dlogits {
            let row = d + r * cols
            let xt = x[Int(t)]
            z = expShifted(x, row, cols, m)
            scale(row, gradScale / z, cols)
            row[Int(t)] -= gradScale
            total += Double(m + Foundation.log(z) - xt)
        } else {
            for c in 0..<cols { z += vexp(x[c] - m) }
            total += Double(m + Foundation.log(z) - x[Int(t)])
        }
        count += 1
    }
    return (total, count)
}
