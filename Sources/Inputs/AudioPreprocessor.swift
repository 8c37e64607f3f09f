import Foundation
import Kernels

/// Audio file → model input (DESIGN §2): decode, downmix to mono, resample to 16 kHz, pad or
/// trim to `maxSeconds`, Whisper log-mel. The model, the dataset builder and the CLI all go through here.
public struct AudioPreprocessor: Sendable {
    public static let sampleRate = 16000

    /// Clips are trimmed to this length.
    public let maxSeconds: Double
    /// Pad shorter clips with silence to exactly `maxSeconds` (Whisper's `pad_or_trim`), so every
    /// clip yields `maxFrames` frames; when false, shorter clips keep their own length.
    public let padToMax: Bool
    public let logMel: LogMel

    public init(maxSeconds: Double = 30, padToMax: Bool = true, melCount: Int = 80) {
        precondition(maxSeconds > 0, "maxSeconds must be positive, got \(maxSeconds)")
        self.maxSeconds = maxSeconds
        self.padToMax = padToMax
        logMel = LogMel(sampleRate: AudioPreprocessor.sampleRate, melCount: melCount)
    }

    public var maxSamples: Int { Int((maxSeconds * Double(AudioPreprocessor.sampleRate)).rounded()) }
    public var maxFrames: Int { logMel.frameCount(samples: maxSamples) }

    /// Decodes `url`, downmixes to mono and resamples to `sampleRate` Hz.
    public static func load(_ url: URL, sampleRate: Int = AudioPreprocessor.sampleRate) throws -> [Float] {
        let audio = try AudioFile.read(url)
        if audio.sampleRate == sampleRate { return audio.samples }
        return Resampler.shared(from: audio.sampleRate, to: sampleRate)(audio.samples)
    }

    /// The `[melCount, frames]` log-mel of the file at `url` (`frames == maxFrames` when padding).
    public func logMel(from url: URL) throws -> Tensor {
        let samples = try AudioPreprocessor.load(url)
        guard padToMax || logMel.frameCount(samples: samples.count) > 0 else {
            throw AudioError(file: url.path, "too short: \(samples.count) samples at 16 kHz make no \(logMel.hop)-sample frame")
        }
        return logMel(samples: samples)
    }

    /// The log-mel of 16 kHz mono `samples`, after padding or trimming to `maxSeconds`.
    public func logMel(samples: [Float]) -> Tensor {
        var clip = Array(samples.prefix(maxSamples))
        if padToMax && clip.count < maxSamples { clip += [Float](repeating: 0, count: maxSamples - clip.count) }
        return logMel(clip)
    }
}
