import Foundation

/// Rotary position embedding, rotate-half form (theta 10000): within each head the pair
/// (x[i], x[i + d/2]) is rotated by angle pos·θ^(−2i/d). Backward is the inverse rotation.
public struct RoPE: Sendable {
    public let headDim: Int
    public let maxPositions: Int
    private let cosTable: [Float]  // [maxPositions, headDim/2]
    private let sinTable: [Float]

    public init(headDim: Int, maxPositions: Int, theta: Double = 10000) {
        precondition(headDim % 2 == 0, "RoPE needs an even head dimension, got \(headDim)")
        self.headDim = headDim
        self.maxPositions = maxPositions
        let half = headDim / 2
        var c = [Float](repeating: 0, count: maxPositions * half), s = c
        for p in 0..<maxPositions {
            for i in 0..<half {
                let angle = Double(p) * Foundation.pow(theta, -2 * Double(i) / Double(headDim))
                c[p * half + i] = Float(Foundation.cos(angle))
                s[p * half + i] = Float(Foundation.sin(angle))
            }
        }
        cosTable = c
        sinTable = s
    }

    /// Rotates `x` [seq, heads·headDim] in place; row r sits at position `start + r`.
    /// `inverse` rotates back, which is the backward pass.
    public func apply(_ x: UnsafeMutablePointer<Float>, seq: Int, heads: Int, start: Int = 0, inverse: Bool = false) {
        precondition(start + seq <= maxPositions, "RoPE table has \(maxPositions) positions, need \(start + seq)")
        let half = headDim / 2, width = heads * headDim
        let sign: Float = inverse ? -1 : 1
        cosTable.withUnsafeBufferPointer { cosT in
            sinTable.withUnsafeBufferPointer { sinT in
                for r in 0..<seq {
                    let cs = cosT.baseAddress! + (start + r) * half, sn = sinT.baseAddress! + (start + r) * half
                    for h in 0..<heads {
                        let v = x + r * width + h * headDim
                        for i in 0..<half {
                            let a = v[i], b = v[i + half], s = sign * sn[i]
                            v[i] = a * cs[i] - b * s
                            v[i + half] = b * cs[i] + a * s
                        }
                    }
                }
            }
        }
    }
}
