import Foundation
import Inference
import Kernels
import Model
import TestSupport

/// The tiny test model briefly trained on four examples (image, audio, both, text only) with
/// ten-token answers, so that its argmax follows varied tokens rather than a constant.
/// Trained once per test process; each test loads the weights into its own model, because
/// models keep per-forward state and tests run in parallel.
enum TrainedTinyModel {
    static let config = tinyTestConfig()

    static let examples: [Example] = {
        var rng = SplitMix(seed: 21)
        return tinyExamples(config, seed: 5).map { ex in
            var ex = ex
            ex.target = (0..<10).map { _ in Int32(5 + rng.next() % UInt64(config.vocabSize - 5)) }
            return ex
        }
    }()

    /// The examples without their answers, as generation sees them.
    static var prompts: [Example] { examples.map { var ex = $0; ex.target = []; return ex } }

    enum Training: String, CaseIterable, Sendable {
        /// 35 steps: answers partly learnt, the next token often uncertain (beam search has room).
        case partly
        /// 60 steps: answers memorised, each followed by `<|eos|>`.
        case well
    }

    private static let partlyTrained = weights(afterSteps: 35)
    private static let wellTrained = weights(afterSteps: 60)

    /// A fresh model holding the weights after `training`.
    static func model(_ training: Training) -> MultimodalMoE {
        let model = MultimodalMoE(config)
        let weights = training == .partly ? partlyTrained : wellTrained
        for (p, w) in zip(model.parameters, weights) { p.value.copy(from: Tensor(shape: p.shape, values: w)) }
        return model
    }

    private static func weights(afterSteps steps: Int) -> [[Float]] {
        let model = MultimodalMoE(config)
        let batch = Batch(examples, config: config)
        let opt = AdamW(model.parameters, weightDecay: 0)
        for _ in 0..<steps {
            model.zeroGradients()
            _ = model.loss(batch)
            model.backward()
            opt.update(lr: 1e-2)
        }
        return model.parameters.map(\.value.array)
    }
}

/// Reference decoding without caches: every step re-runs the whole stream so far.
enum Recompute {
    /// Σ log p of `tokens` (produced tokens, `<|eos|>` included) after `example`'s prompt stream,
    /// from one cache-free forward over the prompt and all but the last token.
    static func logProbability(_ model: MultimodalMoE, _ example: Example, _ tokens: [Int32]) -> Double {
        var ex = example
        ex.prompt += tokens.dropLast()
        let batch = Batch([ex], config: model.config, forGeneration: true)
        let first = batch.count - tokens.count
        let logProbs = model.logits(model.forward(batch), rows: Array(first..<batch.count)).logSoftmax()
        return tokens.enumerated().reduce(0) { $0 + Double(logProbs.data[$1.offset * logProbs.cols + Int($1.element)]) }
    }

    /// Greedy decoding by full recomputation: the last position's argmax, until `<|eos|>` or
    /// `maxTokens`. Returns the produced tokens, `<|eos|>` included when it ended there.
    static func greedy(_ model: MultimodalMoE, _ example: Example, maxTokens: Int) -> [Int32] {
        var produced: [Int32] = []
        while produced.count < maxTokens {
            var ex = example
            ex.prompt += produced
            let batch = Batch([ex], config: model.config, forGeneration: true)
            let logits = model.logits(model.forward(batch), rows: [batch.count - 1])
            var token: Int32 = 0
            for v in 1..<logits.cols where logits.data[v] > logits.data[Int(token)] { token = Int32(v) }
            produced.append(token)
            if token == model.config.eosTokenId { break }
        }
        return produced
    }
}

extension Generation {
    /// The produced tokens, `<|eos|>` included when it ended there.
    var produced: [Int32] { endedWithEOS ? tokens + [TrainedTinyModel.config.eosTokenId] : tokens }
}
