import Foundation
import Inputs
import Kernels

/// Turns manifest samples into what the model reads: the image through the model's image
/// preprocessing, the audio through the Whisper front end trimmed to the encoder's
/// length (and padded to it when the config says so), and the prompt and answer through the tokenizer. Training, captioning, evaluation
/// and calibration all build their examples here, so they see exactly the same tensors.
public struct ExampleBuilder: Sendable {
    public let config: ModelConfig
    public let tokenizer: BPETokenizer
    let image: ImagePreprocessor?
    let audio: AudioPreprocessor?

    public init(config: ModelConfig, tokenizer: BPETokenizer) {
        self.config = config
        self.tokenizer = tokenizer
        image = config.image.map {
            ImagePreprocessor(height: $0.size, width: $0.size, mean: SIMD3($0.mean[0], $0.mean[1], $0.mean[2]),
                              std: SIMD3($0.std[0], $0.std[1], $0.std[2]))
        }
        audio = config.audio.map { AudioPreprocessor(maxSeconds: $0.maxSeconds, padToMax: $0.padToMax) }
    }

    /// The example for `sample`; with `withTarget` the answer (`text`, else the first reference)
    /// is tokenised as the target. Errors name the sample's file and line.
    public func example(_ sample: Sample, withTarget: Bool = true) throws -> Example {
        var example = Example(prompt: ids(sample.prompt))
        if let url = sample.image {
            guard let image else { throw InputError("\(sample.id): has an image but the model has no image encoder") }
            example.image = try image.tensor(from: url)
        }
        if let url = sample.audio {
            guard let audio else { throw InputError("\(sample.id): has audio but the model has no audio encoder") }
            example.audio = try audio.logMel(from: url)
        }
        if withTarget {
            guard let answer = sample.text ?? sample.references.first, !answer.isEmpty else {
                throw InputError("\(sample.id): no text to train on")
            }
            example.target = ids(answer)
        }
        let length = try example.promptPositions(in: config, name: sample.id) + example.target.count + 1
        guard length <= config.maxPositions else {
            throw InputError("\(sample.id): \(length) positions exceed max_positions \(config.maxPositions)")
        }
        return example
    }

    func ids(_ text: String) -> [Int32] {
        text.isEmpty ? [] : tokenizer.encode(text, addSpecialTokens: false).map(Int32.init)
    }

    /// Text for generated ids (special tokens dropped).
    public func text(_ ids: [Int32]) -> String {
        (try? tokenizer.decode(ids.map(Int.init))) ?? ""
    }
}

public struct InputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
