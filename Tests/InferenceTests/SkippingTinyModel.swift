import Foundation
import Inference
import Inputs
import Kernels
import Model
import TestSupport

/// The tiny test model with both decoder layers MoE (so layer importance has something to
/// compare), trained briefly on four examples with ten-token answers. Calibration runs on those
/// four and four unseen ones. Trained once per test process; each test gets a fresh model with
/// the weights, since models keep per-forward state and tests run in parallel.
enum SkippingTinyModel {
    static let config: ModelConfig = {
        var c = tinyTestConfig()
        c.moe!.layers = .all
        return c
    }()

    static let trainingExamples = withAnswers(tinyExamples(config, seed: 5), seed: 21)

    /// Image, audio, both and text only, twice: seen in training, then unseen.
    static let calibrationExamples = trainingExamples + withAnswers(tinyExamples(config, seed: 9), seed: 22)

    private static let weights: [[Float]] = {
        let model = MultimodalMoE(config)
        let batch = Batch(trainingExamples, config: config)
        let opt = AdamW(model.parameters, weightDecay: 0)
        for _ in 0..<40 {
            model.zeroGradients()
            _ = model.loss(batch)
            model.backward()
            opt.update(lr: 1e-2)
        }
        return model.parameters.map(\.value.array)
    }()

    /// A fresh model holding the trained weights.
    static func model() -> MultimodalMoE {
        let model = MultimodalMoE(config)
        for (p, w) in zip(model.parameters, weights) { p.value.copy(from: Tensor(shape: p.shape, values: w)) }
        return model
    }

    private static func withAnswers(_ examples: [Example], seed: UInt64) -> [Example] {
        var rng = SplitMix(seed: seed)
        return examples.map { ex in
            var ex = ex
            ex.target = (0..<10).map { _ in Int32(5 + rng.next() % UInt64(config.vocabSize - 5)) }
            return ex
        }
    }
}

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct ScratchDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("moe-mm-skipping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(at: url) }
}
