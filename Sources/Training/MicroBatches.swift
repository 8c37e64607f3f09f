import Kernels
import Model

/// Forward and backward over a step's micro-batches (the recipe's `accumulation`), each on its
/// own copy of the model, run concurrently on the cores: data parallelism inside one process.
///
/// A tiny model's GEMMs are too small for OpenBLAS to split well over 2 threads; two
/// single-threaded streams, one per micro-batch, use the cores better (`moe-mm bench model
/// --accumulation 2`). Each copy keeps its own gradients and activations; their gradients are
/// summed into the first copy's in a fixed order, so a step's result does not depend on how
/// many cores ran it.
public final class MicroBatches {
    /// One model per micro-batch; `replicas[0]` is the model being trained.
    public let replicas: [MultimodalMoE]

    public init(model: MultimodalMoE, count: Int) {
        replicas = [model] + (1..<max(count, 1)).map { _ in model.replica() }
    }

    /// Zeroes the gradients, runs `batches[i]` forward and backward on `replicas[i]` (the LM
    /// gradient of each scaled by 1/count, so the sum is the mean over micro-batches), and leaves
    /// the summed gradients in `replicas[0]`. A micro-batch whose loss is not finite gets no backward.
    public func forwardBackward(_ batches: [Batch]) -> [MultimodalMoE.Loss] {
        precondition(batches.count == replicas.count, "\(batches.count) micro-batches for \(replicas.count) model copies")
        let scale = 1 / Float(batches.count)
        var losses = [MultimodalMoE.Loss](repeating: MultimodalMoE.Loss(lm: 0, balance: 0, kl: 0, targets: 0), count: batches.count)
        losses.withUnsafeMutableBufferPointer { out in
            parallelFor(batches.count) { range in
                for i in range {
                    let model = replicas[i]
                    model.zeroGradients()
                    out[i] = model.loss(batches[i], gradScale: scale)
                    if out[i].total.isFinite { model.backward() }
                }
            }
        }
        let sum = replicas[0].parameters
        for copy in replicas.dropFirst() {
            for (p, q) in zip(sum, copy.parameters) { axpy(1, q.grad.data, p.grad.data, p.grad.count) }
        }
        return losses
    }

    /// After the optimiser has moved `replicas[0]`, the other copies take its weights.
    public func synchronize() {
        for copy in replicas.dropFirst() { copy.copyWeights(from: replicas[0]) }
    }
}
