import Inputs
import Kernels

/// One sample as the model sees it: optional image and audio tensors, and token ids.
public struct Example: Sendable {
    public var image: Tensor?   // [3, size, size]
    public var audio: Tensor?   // [80, frames]; frames the encoder's full window when it pads
    public var prompt: [Int32]
    /// The answer, without `<|eos|>` (the stream adds it); empty when generating.
    public var target: [Int32]

    public init(image: Tensor? = nil, audio: Tensor? = nil, prompt: [Int32] = [], target: [Int32] = []) {
        self.image = image; self.audio = audio; self.prompt = prompt; self.target = target
    }
}

extension Example {
    /// Checks that the example fits `config` (what `Batch` assumes: an encoder for each medium,
    /// media of the encoder's shape, token ids inside the vocabulary) and returns how many stream
    /// positions come before the target: `<|bos|>`, the media tokens and the prompt. Messages
    /// start with `name`, e.g. "example 3".
    public func promptPositions(in config: ModelConfig, name: String) throws -> Int {
        var length = 1 + prompt.count
        if let image {
            guard let c = config.image else { throw InputError("\(name) has an image but the model has no image encoder") }
            try image.expectShape([3, c.size, c.size], "\(name) image")
            length += c.tokens
        }
        if let audio {
            guard let c = config.audio else { throw InputError("\(name) has audio but the model has no audio encoder") }
            // A clip the encoder does not pad may be shorter than its window, never longer.
            let frames = c.padToMax || audio.shape.count != 2 ? c.frames : min(max(audio.shape[1], 1), c.frames)
            try audio.expectShape([AudioEncoderConfig.melBins, frames], "\(name) audio")
            length += c.tokens(frames: frames)
        }
        for (part, ids) in [("prompt", prompt), ("target", target)] {
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
                throw InputError("\(name): \(part) token id \(bad) is outside the vocabulary of \(config.vocabSize)")
            }
        }
        return length
    }
}

/// A batch of examples packed into one token stream (DESIGN §2):
/// `<|bos|> [image tokens] [audio tokens] prompt target <|eos|>` per example, back to back.
/// Every position carries its modality; the loss reads only the target and `<|eos|>`.
public struct Batch: Sendable {
    public let segments: [Segment]
    public let modality: [Modality]   // [N]
    public let tokenIds: [Int32]      // [N]; the text id at text positions, 0 at media positions
    /// Next-token targets [N]: the id that position p must predict, or `ignoreIndex`.
    public let targets: [Int32]
    public let images: Tensor?        // [nImages, 3, size, size]
    public let imageStarts: [Int]     // first stream row of each image's tokens
    public let audio: Tensor?         // [nClips, 80, frames]: zero frames after a shorter clip's end
    public let audioStarts: [Int]
    public let audioFrames: [Int]     // each clip's own length

    public var count: Int { modality.count }
    public var targetCount: Int { targets.filter { $0 != ignoreIndex }.count }

    /// Packs `examples`; with `forGeneration` no target or `<|eos|>` is appended.
    public init(_ examples: [Example], config: ModelConfig, forGeneration: Bool = false) {
        var modality: [Modality] = [], ids: [Int32] = [], targets: [Int32] = []
        var lengths: [Int] = [], imageStarts: [Int] = [], audioStarts: [Int] = []
        var images: [Tensor] = [], clips: [Tensor] = []
        for ex in examples {
            let start = modality.count
            func push(_ m: Modality, _ id: Int32, predicts next: Int32 = ignoreIndex) {
                modality.append(m); ids.append(id); targets.append(next)
            }
            push(.text, config.bosTokenId)
            if let image = ex.image, let c = config.image {
                imageStarts.append(modality.count)
                images.append(image)
                for _ in 0..<c.tokens { push(.image, 0) }
            }
            if let clip = ex.audio, let c = config.audio {
                audioStarts.append(modality.count)
                clips.append(clip)
                for _ in 0..<c.tokens(frames: clip.shape[1]) { push(.audio, 0) }
            }
            for id in ex.prompt { push(.text, id) }
            if !forGeneration {
                // The position before each answer token predicts it; the last answer token predicts <|eos|>.
                let answer = ex.target + [config.eosTokenId]
                targets[targets.count - 1] = answer[0]
                for (i, id) in ex.target.enumerated() { push(.text, id, predicts: answer[i + 1]) }
            }
            lengths.append(modality.count - start)
        }
        segments = Segment.packed(lengths)
        self.modality = modality
        tokenIds = ids
        self.targets = targets
        self.images = Batch.stack(images)
        self.imageStarts = imageStarts
        audio = Batch.stackPadded(clips)
        self.audioStarts = audioStarts
        audioFrames = clips.map { $0.shape[1] }
    }

    /// One decoding step: each live sequence's newest text token as a segment of length 1 at
    /// `positions[i]`, the number of positions that sequence's KV cache already holds.
    public init(decoding tokens: [Int32], positions: [Int]) {
        precondition(tokens.count == positions.count, "decoding step: \(tokens.count) tokens for \(positions.count) positions")
        segments = positions.enumerated().map { Segment(start: $0.offset, length: 1, position: $0.element) }
        modality = Array(repeating: .text, count: tokens.count)
        tokenIds = tokens
        targets = Array(repeating: ignoreIndex, count: tokens.count)
        images = nil
        imageStarts = []
        audio = nil
        audioStarts = []
        audioFrames = []
    }

    static func stack(_ tensors: [Tensor]) -> Tensor? {
        guard let first = tensors.first else { return nil }
        let out = Tensor(zeros: [tensors.count] + first.shape)
        for (i, t) in tensors.enumerated() { out[i].copy(from: t) }
        return out
    }

    /// `[rows, cols_i]` matrices as `[n, rows, max cols_i]`, each zero-filled past its own columns.
    static func stackPadded(_ tensors: [Tensor]) -> Tensor? {
        guard let first = tensors.first else { return nil }
        let rows = first.shape[0], cols = tensors.map { $0.shape[1] }.max()!
        let out = Tensor(zeros: [tensors.count, rows, cols])
        for (i, t) in tensors.enumerated() {
            let n = t.shape[1]
            for r in 0..<rows { (out.data + (i * rows + r) * cols).update(from: t.data + r * n, count: n) }
        }
        return out
    }
}
