import Kernels
import Model

/// A model small enough to check by finite differences, with all three modalities and MoE
/// layers in soft (shared) and grouped form.
public func tinyTestConfig(renormalize: Bool = false, klLambda: Float = 0.5, convStem: [Int] = [],
                           positionEmbedding: Bool = false, padAudio: Bool = true) -> ModelConfig {
    ModelConfig(
        vocabSize: 23, dModel: 16, layers: 2, heads: 2, ffnHidden: 24, maxPositions: 64,
        moe: MoEConfig(expertHidden: 12, shared: 1,
                       groups: [ExpertGroupConfig(name: "text", modalities: [.text], experts: 3, topK: 2),
                                ExpertGroupConfig(name: "media", modalities: [.image, .audio], experts: 4, topK: 2)],
                       layers: .list([1]), renormalize: renormalize, klLambda: klLambda, klBand: [1.0, 2.0]),
        image: ImageEncoderConfig(size: 8, patch: 4, convStem: convStem, dim: 8, layers: 1, heads: 2, mlpHidden: 12,
                                  positionEmbedding: positionEmbedding),
        audio: AudioEncoderConfig(maxSeconds: 0.16, dim: 8, layers: 1, heads: 2, mlpHidden: 12, positionEmbedding: positionEmbedding,
                                  padToMax: padAudio),
        seed: 7)
}

/// Four examples for `config`: image, audio, both, and text only, with random prompt and target
/// ids from 5 up (the low ids are the special tokens). When the audio encoder does not pad, the
/// audio-only clip is shorter than the window (an odd number of first-convolution outputs, so
/// the second convolution reads one past its end), and the batch mixes clip lengths.
public func tinyExamples(_ config: ModelConfig, seed: UInt64) -> [Example] {
    var rng = SplitMix(seed: seed)
    let frames = config.audio!.frames, shortFrames = config.audio!.padToMax ? frames : frames - 7
    func ids(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(5 + rng.next() % UInt64(config.vocabSize - 5)) } }
    return [
        Example(image: Tensor(randomNormal: [3, 8, 8], std: 1, rng: &rng), prompt: ids(2), target: ids(3)),
        Example(audio: Tensor(randomNormal: [80, shortFrames], std: 1, rng: &rng), prompt: ids(1), target: ids(4)),
        Example(image: Tensor(randomNormal: [3, 8, 8], std: 1, rng: &rng), audio: Tensor(randomNormal: [80, frames], std: 1, rng: &rng),
                prompt: ids(2), target: ids(2)),
        Example(prompt: ids(3), target: ids(3)),
    ]
}
