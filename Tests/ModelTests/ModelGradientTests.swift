import Foundation
import Inputs
import Kernels
import Model
import Testing
import TestSupport

@Suite struct ModelGradientTests {
    /// Scales every weight up from the 0.02 initialisation so gradients are large enough for
    /// float32 finite differences to resolve.
    func scaledModel(_ config: ModelConfig) -> MultimodalMoE {
        let model = MultimodalMoE(config)
        for p in model.parameters where p.decays { scale(p.value.data, 10, p.value.count) }
        // Non-zero convolution biases: at zero, what a convolution sees past a clip's end is
        // zero whether or not it is masked, and the mask's gradient would go unchecked.
        var rng = SplitMix(seed: 13)
        for p in model.parameters where p.name.hasPrefix("audio_encoder.conv") && p.name.hasSuffix(".bias") {
            p.value.copy(from: Tensor(randomNormal: p.shape, std: 0.5, rng: &rng))
        }
        return model
    }

    /// Top-k gates as they are and renormalised; plain image patches, and a convolutional stem
    /// with learned positions in both encoders; audio clips padded to the window, and of their
    /// own lengths side by side (`AudioLengthTests` checks the audio encoder's own gradient
    /// there without routing). Each batch seed is one where no top-k choice flips within ε:
    /// across a flip the loss jumps and finite differences mean nothing.
    @Test(arguments: [(false, [Int](), false, true, 3), (true, [4, 6], true, true, 3), (false, [], true, false, 5)])
    func wholeModelGradientMatchesFiniteDifferences(renormalize: Bool, convStem: [Int], positionEmbedding: Bool, padAudio: Bool,
                                                    seed: UInt64) {
        let config = tinyTestConfig(renormalize: renormalize, convStem: convStem, positionEmbedding: positionEmbedding,
                                    padAudio: padAudio)
        let model = scaledModel(config)
        let batch = Batch(tinyExamples(config, seed: seed), config: config)
        model.zeroGradients()
        _ = model.loss(batch)
        model.backward()

        // Per parameter tensor, one random direction v: compare g·v with (L(θ+εv) − L(θ−εv)) / 2ε.
        var rng = SplitMix(seed: 11)
        var failures: [String] = []
        for p in model.parameters {
            let v = Tensor(randomNormal: p.shape, std: 1, rng: &rng)
            let norm = sumOfSquares(v).squareRoot()
            scale(v.data, 1 / norm, v.count)
            let analytic = Double(dot(p.grad.data, v.data, v.count))
            let eps: Float = 1e-2
            axpy(eps, v.data, p.value.data, v.count)
            let up = model.loss(batch, gradScale: 0).total
            axpy(-2 * eps, v.data, p.value.data, v.count)
            let down = model.loss(batch, gradScale: 0).total
            axpy(eps, v.data, p.value.data, v.count)
            let numeric = (up - down) / Double(2 * eps)
            if abs(analytic - numeric) > 2e-3 + 0.05 * abs(numeric) {
                failures.append("\(p.name): analytic \(analytic), numeric \(numeric)")
            }
        }
        #expect(failures.isEmpty, "directional derivatives differ for \(failures.count) tensors: \(failures.prefix(6).joined(separator: "; "))")
    }

    @Test func aGradientStepLowersTheLoss() {
        let config = tinyTestConfig()
        let model = MultimodalMoE(config)
        let batch = Batch(tinyExamples(config, seed: 5), config: config)
        let before = model.loss(batch)
        model.zeroGradients()
        model.backward()
        for p in model.parameters { axpy(-0.5, p.grad.data, p.value.data, p.value.count) }
        let after = model.loss(batch, gradScale: 0)
        #expect(after.total < before.total - 1e-3, "loss went from \(before.total) to \(after.total)")
    }

    @Test func tinyModelOverfitsAHandfulOfSamples() {
        let config = tinyTestConfig()
        let model = MultimodalMoE(config)
        let batch = Batch(tinyExamples(config, seed: 9), config: config)
        let opt = AdamW(model.parameters, weightDecay: 0)
        var first = 0.0, last = 0.0
        for step in 0..<300 {
            model.zeroGradients()
            let loss = model.loss(batch)
            model.backward()
            opt.update(lr: 1e-2)
            if step == 0 { first = loss.lm }
            last = loss.lm
        }
        #expect(last < 0.05, "language-model loss fell from \(first) only to \(last) after 300 steps")
    }
}
