import Kernels
import Model
import Testing
import TestSupport

/// Audio clips of their own lengths (`pad_to_max: false`) against the padded window.
@Suite struct AudioLengthTests {
    let config = tinyTestConfig(positionEmbedding: true, padAudio: false)

    func clip(frames: Int, seed: UInt64) -> Tensor {
        var rng = SplitMix(seed: seed)
        return Tensor(randomNormal: [80, frames], std: 1, rng: &rng)
    }

    @Test func aShortClipGivesTheSameTokensAloneAsBesideALongerOne() {
        let model = MultimodalMoE(config)
        let encoder = model.audioEncoder!
        // Non-zero biases, so that the first convolution's outputs past a clip's end are not
        // zero by accident (at initialisation they are GELU(0) = 0).
        var rng = SplitMix(seed: 5)
        for bias in [encoder.conv1.bias, encoder.conv2.bias] { bias.value.copy(from: Tensor(randomNormal: bias.shape, std: 1, rng: &rng)) }
        let full = config.audio!.frames
        for frames in [1, 2, 3, 5, full - 5, full - 1] {
            let short = clip(frames: frames, seed: UInt64(frames))
            let alone = encoder.forward(Batch([Example(audio: short)], config: config, forGeneration: true).audio!, lengths: [frames])
            let both = Batch([Example(audio: clip(frames: full, seed: 99)), Example(audio: short)], config: config, forGeneration: true)
            let beside = encoder.forward(both.audio!, lengths: both.audioFrames)
            let tokens = config.audio!.tokens(frames: frames), longTokens = config.audio!.tokens
            #expect(alone.rows == tokens && beside.rows == longTokens + tokens,
                    "\(frames) frames: \(alone.rows) tokens alone, \(beside.rows) beside a full clip of \(longTokens)")
            var worst: Float = 0
            for i in 0..<(tokens * alone.cols) { worst = max(worst, abs(alone.data[i] - beside.data[longTokens * alone.cols + i])) }
            #expect(worst <= 1e-5, "a clip of \(frames) frames: its tokens differ by up to \(worst) beside a longer clip")
        }
    }

    /// L = Σ encoder(clips) ⊙ R for clips of 9 and 16 frames: the first convolution's outputs
    /// past the short clip's end are zeroed, so they must get no gradient either.
    @Test func audioEncoderGradientWithMixedLengthsMatchesFiniteDifferences() {
        let encoder = MultimodalMoE(config).audioEncoder!
        var rng = SplitMix(seed: 21)
        for p in encoder.parameters {
            if p.decays { scale(p.value.data, 10, p.value.count) }
            if p.name.hasPrefix("audio_encoder.conv"), p.name.hasSuffix(".bias") { p.value.copy(from: Tensor(randomNormal: p.shape, std: 0.5, rng: &rng)) }
        }
        let full = config.audio!.frames
        let batch = Batch([Example(audio: clip(frames: 9, seed: 1)), Example(audio: clip(frames: full, seed: 2))],
                          config: config, forGeneration: true)
        func loss(_ r: Tensor) -> Double {
            let out = encoder.forward(batch.audio!, lengths: batch.audioFrames)
            return (0..<out.count).reduce(0.0) { $0 + Double(out.data[$1]) * Double(r.data[$1]) }
        }
        let probe = encoder.forward(batch.audio!, lengths: batch.audioFrames)
        let r = Tensor(randomNormal: probe.shape, std: 1, rng: &rng)
        for p in encoder.parameters { p.grad.zero() }
        encoder.backward(r)

        var failures: [String] = []
        for p in encoder.parameters {
            let v = Tensor(randomNormal: p.shape, std: 1, rng: &rng)
            scale(v.data, 1 / sumOfSquares(v).squareRoot(), v.count)
            let analytic = Double(dot(p.grad.data, v.data, v.count))
            let eps: Float = 1e-2
            axpy(eps, v.data, p.value.data, v.count)
            let up = loss(r)
            axpy(-2 * eps, v.data, p.value.data, v.count)
            let down = loss(r)
            axpy(eps, v.data, p.value.data, v.count)
            let numeric = (up - down) / Double(2 * eps)
            if abs(analytic - numeric) > 1e-3 + 0.01 * abs(numeric) { failures.append("\(p.name): analytic \(analytic), numeric \(numeric)") }
        }
        #expect(failures.isEmpty, "directional derivatives differ for \(failures.count) tensors: \(failures.prefix(6).joined(separator: "; "))")
    }

    @Test func aBatchGivesEachClipItsOwnNumberOfTokens() {
        let full = config.audio!.frames
        let batch = Batch([Example(audio: clip(frames: 6, seed: 1), prompt: [5]), Example(audio: clip(frames: full, seed: 2), prompt: [6])],
                          config: config, forGeneration: true)
        let audioRows = batch.modality.filter { $0 == .audio }.count
        #expect(batch.audioFrames == [6, full])
        #expect(audioRows == config.audio!.tokens(frames: 6) + config.audio!.tokens,
                "\(audioRows) audio positions for clips of 6 and \(full) frames")
        #expect(batch.segments.map(\.length) == [2 + config.audio!.tokens(frames: 6), 2 + config.audio!.tokens])
    }

    @Test func aClipLongerThanTheWindowOrShortOfThePaddedWindowIsAShapeError() throws {
        let full = config.audio!.frames
        let tooLong = Example(audio: clip(frames: full + 1, seed: 3))
        let error = #expect(throws: ShapeError.self) { try tooLong.promptPositions(in: config, name: "example 4") }
        #expect(error?.description == "example 4 audio: expected shape [80, \(full)], got [80, \(full + 1)]")
        #expect(try Example(audio: clip(frames: 7, seed: 4)).promptPositions(in: config, name: "x") == 1 + config.audio!.tokens(frames: 7))

        let padding = tinyTestConfig(padAudio: true)
        #expect(throws: ShapeError.self) { try Example(audio: clip(frames: 7, seed: 4)).promptPositions(in: padding, name: "x") }
    }
}
