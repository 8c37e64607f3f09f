import Inputs
import Kernels

/// A pre-norm transformer block: `h = x + attn(norm(x))`, `y = h + ffn(norm(h))`.
/// The decoder's blocks are causal and their feed-forward is dense SwiGLU or the MoE layer;
/// the encoders use the same block, non-causal and dense.
public final class Block {
    public enum FeedForward {
        case dense(SwiGLU)
        case moe(MoELayer)
    }

    public let attnNorm: RMSNorm
    public let attn: SelfAttention
    public let ffnNorm: RMSNorm
    public let ffn: FeedForward
    private var denseSaved: SwiGLU.Saved?

    public init(attnNorm: RMSNorm, attn: SelfAttention, ffnNorm: RMSNorm, ffn: FeedForward) {
        self.attnNorm = attnNorm; self.attn = attn; self.ffnNorm = ffnNorm; self.ffn = ffn
    }

    public var parameters: [Parameter] {
        let ffnParams: [Parameter] = switch ffn {
        case .dense(let f): f.parameters
        case .moe(let m): m.parameters
        }
        return attnNorm.parameters + attn.parameters + ffnNorm.parameters + ffnParams
    }

    public var moe: MoELayer? { if case .moe(let m) = ffn { m } else { nil } }

    /// x: [N, d] → [N, d]; `modality` (one per row) is read by the MoE layer only.
    public func forward(_ x: Tensor, segments: [Segment], modality: [Modality], caches: [KVCache]? = nil) -> Tensor {
        let h = attn.forward(attnNorm.forward(x), segments: segments, caches: caches)
        addInPlace(h, x)
        let n = ffnNorm.forward(h)
        switch ffn {
        case .dense(let f):
            let y = Tensor(uninitialized: h.shape)
            denseSaved = f.forward(n, into: y)
            addInPlace(y, h)
            return y
        case .moe(let m):
            let y = m.forward(n, modality: modality)
            addInPlace(y, h)
            return y
        }
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let dn: Tensor
        switch ffn {
        case .dense(let f):
            guard let saved = denseSaved else { preconditionFailure("Block.backward before forward") }
            dn = Tensor(uninitialized: dy.shape)
            f.backward(dy, saved, into: dn)
        case .moe(let m):
            dn = m.backward(dy)
        }
        let dh = ffnNorm.backward(dn)
        addInPlace(dh, dy)
        let dx = attnNorm.backward(attn.backward(dh))
        addInPlace(dx, dh)
        return dx
    }
}

extension RMSNorm { public var parameters: [Parameter] { [weight] } }
