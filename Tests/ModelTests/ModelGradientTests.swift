import Foundation
import Inputs
import Kernels
import Model
import Testing
import TestSupport

/// A model small enough to check by finite differences, with all three modalities and MoE
/// layers in soft (shared) and grouped form.
func tinyTestConfig(renormalize: Bool = false, klLambda: Float = 0.5) -> ModelConfig {
    ModelConfig(
        vocabSize: 23, dModel: 16, layers: 2, heads: 2, ffnHidden: 24, maxPositions: 64,
        moe: MoEConfig(expertHidden: 12, shared: 1,
                       groups: [ExpertGroupConfig(name: "text", modalities: [.text], experts: 3, topK: 2),
                                ExpertGroupConfig(name: "media", modalities: [.image, .audio], experts: 4, topK: 2)],
                       layers: .list([1]), renormalize: renormalize, klLambda: klLambda, klBand: [1.0, 2.0]),
        image: ImageEncoderConfig(size: 8, patch: 4, dim: 8, layers: 1, heads: 2, mlpHidden: 12),
        audio: AudioEncoderConfig(maxSeconds: 0.16, dim: 8, layers: 1, heads: 2, mlpHidden: 12),
        seed: 7)
}

func tinyExamples(_ config: ModelConfig, seed: UInt64) -> [Example] {
    var rng = SplitMix(seed: seed)
    let frames = config.audio!.frames
    func ids(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(5 + rng.next() % UInt64(config.vocabSize - 5)) } }
    return [
        Example(image: Tensor(randomNormal: [3, 8, 8], std: 1, rng: &rng), prompt: ids(2), target: ids(3)),
        Example(audio: Tensor(randomNormal: [80, frames], std: 1, rng: &rng), prompt: ids(1), target: ids(4)),
        Example(image: Tensor(randomNormal: [3, 8, 8], std: 1, rng: &rng), audio: Tensor(randomNormal: [80, frames], std: 1, rng: &rng),
                prompt: ids(2), target: ids(2)),
        Example(prompt: ids(3), target: ids(3)),
    ]
}

@Suite struct ModelGradientTests {
    /// Scales every weight up from the 0.02 initialisation so gradients are large enough for
    /// float32 finite differences to resolve.
    func scaledModel(_ config: ModelConfig) -> MultimodalMoE {
        let model = MultimodalMoE(config)
        for p in model.parameters where p.decays { scale(p.value.data, 10, p.value.count) }
        return model
    }

    @Test(arguments: [false, true])
    func wholeModelGradientMatchesFiniteDifferences(renormalize: Bool) {
        let config = tinyTestConfig(renormalize: renormalize)
        let model = scaledModel(config)
        let batch = Batch(tinyExamples(config, seed: 3), config: config)
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
