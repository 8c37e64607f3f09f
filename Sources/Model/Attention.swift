import Kernels

/// Multi-head self-attention with rotary positions over packed segments.
/// Training: each segment attends within itself (causal in the decoder, full in the encoders).
/// Decoding: pass one `KVCache` per segment; new keys/values are appended and queries attend
/// to everything cached, so each new token costs one position, not the whole prefix.
public final class SelfAttention {
    public let q: Linear, k: Linear, v: Linear, o: Linear
    let heads: Int
    let causal: Bool
    let rope: RoPE

    // Kept for backward.
    private var segments: [Segment] = []
    private var qr: Tensor?, kr: Tensor?, vv: Tensor?
    private var probs: [Tensor] = []

    public init(_ name: String, d: Int, heads: Int, causal: Bool, maxPositions: Int, theta: Double,
                std: Float, outStd: Float, weights: inout WeightInit) {
        q = Linear("\(name).q_proj", in: d, out: d, std: std, weights: &weights)
        k = Linear("\(name).k_proj", in: d, out: d, std: std, weights: &weights)
        v = Linear("\(name).v_proj", in: d, out: d, std: std, weights: &weights)
        o = Linear("\(name).o_proj", in: d, out: d, std: outStd, weights: &weights)
        self.heads = heads
        self.causal = causal
        rope = RoPE(headDim: d / heads, maxPositions: maxPositions, theta: theta)
    }

    public var parameters: [Parameter] { q.parameters + k.parameters + v.parameters + o.parameters }

    /// x: [N, d] → [N, d].
    public func forward(_ x: Tensor, segments: [Segment], caches: [KVCache]? = nil) -> Tensor {
        let d = x.cols, dh = d / heads
        let qr = q.forward(x), kr = k.forward(x), vv = v.forward(x)
        for s in segments {
            rope.apply(qr.data + s.start * d, seq: s.length, heads: heads, start: s.position)
            rope.apply(kr.data + s.start * d, seq: s.length, heads: heads, start: s.position)
        }
        // Shapes, cache appends and buffers first (serially), then the heads' work in parallel.
        var shapes: [AttentionShape] = [], keys: [UnsafeMutablePointer<Float>] = [], values: [UnsafeMutablePointer<Float>] = []
        for (i, s) in segments.enumerated() {
            if let cache = caches?[i] {
                cache.append(keys: kr.data + s.start * d, values: vv.data + s.start * d, rows: s.length)
                shapes.append(AttentionShape(queries: s.length, keys: cache.count, heads: heads, headDim: dh,
                                             queryStart: cache.count - s.length, causal: causal))
                keys.append(cache.keys.data)
                values.append(cache.values.data)
            } else {
                shapes.append(AttentionShape(queries: s.length, keys: s.length, heads: heads, headDim: dh, causal: causal))
                keys.append(kr.data + s.start * d)
                values.append(vv.data + s.start * d)
            }
        }
        let probs = shapes.map { Tensor(zeros: [$0.probsCount]) }
        let out = Tensor(zeros: x.shape)
        parallelFor(segments.count) { range in
            for i in range {
                attentionForward(qr.data + segments[i].start * d, keys[i], values[i], out.data + segments[i].start * d,
                                 probs: probs[i].data, shapes[i])
            }
        }
        if caches == nil {
            self.segments = segments
            self.qr = qr; self.kr = kr; self.vv = vv
            self.probs = probs
        }
        return o.forward(out)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let qr, let kr, let vv else { preconditionFailure("SelfAttention.backward before a training forward") }
        let d = dy.cols, dh = d / heads
        let dOut = o.backward(dy)
        let dq = Tensor(zeros: dy.shape), dk = Tensor(zeros: dy.shape), dv = Tensor(zeros: dy.shape)
        let segments = self.segments, probs = self.probs
        let scratches = segments.map { Tensor(zeros: [$0.length * $0.length]) }
        parallelFor(segments.count) { range in
            for i in range {
                let s = segments[i], off = s.start * d
                let shape = AttentionShape(queries: s.length, keys: s.length, heads: heads, headDim: dh, causal: causal)
                let scratch = scratches[i]
                attentionBackward(qr.data + off, kr.data + off, vv.data + off, probs: probs[i].data, dOut.data + off,
                                  dq.data + off, dk.data + off, dv.data + off, scratch: scratch.data, shape)
                rope.apply(dq.data + off, seq: s.length, heads: heads, start: s.position, inverse: true)
                rope.apply(dk.data + off, seq: s.length, heads: heads, start: s.position, inverse: true)
            }
        }
        let dx = q.backward(dq)
        addInPlace(dx, k.backward(dk))
        addInPlace(dx, v.backward(dv))
        return dx
    }
}
