import Foundation
import Inputs
import Kernels
import Testing
import TestSupport

/// The Whisper front end and the decode → downmix → resample path against librosa, numpy and soxr.
@Suite struct AudioTests {
    @Test func speechWAVDecodesToTheReferenceWaveform() throws {
        let audio = try AudioFile.read(AudioReference.url("speech_16000.wav"))
        let expected = try AudioReference.tensor("waveform").array
        #expect(audio.sampleRate == 16000, "sample rate \(audio.sampleRate), expected 16000")
        let r = closeness(audio.samples, expected, rtol: 0, atol: 0, "speech_16000.wav samples (int16/32768)")
        #expect(r.ok, "\(r.message)")
    }

    @Test func melFiltersMatchLibrosa() throws {
        let reference = try AudioReference.tensor("mel_filters")
        let filters = LogMel().filters
        #expect(filters.shape == reference.shape, "filters \(filters.shape), librosa \(reference.shape)")
        let r = closeness(filters.array, reference.array, rtol: 1e-5, atol: 1e-7, "slaney mel filters [80, 201]")
        #expect(r.ok, "\(r.message)")
    }

    @Test func logMelOfSpeechMatchesWhisperReference() throws {
        let reference = try AudioReference.tensor("log_mel")
        let samples = try AudioFile.read(AudioReference.url("speech_16000.wav")).samples
        let mel = LogMel()(samples)
        #expect(mel.shape == reference.shape, "log-mel \(mel.shape), reference \(reference.shape)")
        let r = closeness(mel.array, reference.array, rtol: 0, atol: 1e-4, "log-mel of speech_16000.wav")
        #expect(r.ok, "\(r.message)")
    }

    @Test(arguments: ["speech_22050.wav", "speech_22050.flac"])
    func speechResampledFrom22050MatchesSoxr(file: String) throws {
        let samples = try AudioPreprocessor.load(AudioReference.url(file))
        let expected = try AudioReference.tensor("waveform").array
        #expect(samples.count == expected.count, "\(file): \(samples.count) samples at 16 kHz, soxr gave \(expected.count)")
        let n = min(samples.count, expected.count)
        let snr = snrDB(samples[..<n], expected[..<n])
        #expect(snr > 58, "\(file) resampled to 16 kHz vs soxr_hq: SNR \(snr) dB")
    }

    @Test func stereoFloatToneDownmixesAndResamplesToTheMonoTone() throws {
        let url = AudioReference.url("tone_stereo_44100.wav")
        let native = try AudioFile.read(url)
        #expect(native.sampleRate == 44100 && native.samples.count == 44100,
                "decoded \(native.samples.count) samples at \(native.sampleRate) Hz, expected 44100 at 44100 Hz")
        let samples = try AudioPreprocessor.load(url)
        let expected = try AudioReference.tensor("tone_mono_16000").array
        #expect(samples.count == expected.count, "\(samples.count) samples, expected \(expected.count)")
        // The reference is the ideal tone; the first and last 10 ms differ because the file's
        // tone starts and stops abruptly, which no band-limited resampler reproduces.
        let edge = 160
        let snr = snrDB(samples[edge..<(expected.count - edge)], expected[edge..<(expected.count - edge)])
        #expect(snr > 125, "44.1 kHz stereo tone → 16 kHz mono vs reference: SNR \(snr) dB")

        // One second at 16 kHz: bin k of a 16000-point FFT is k Hz.
        let (re, im) = RealFFT(count: 16000).transform(samples)
        let magnitude = zip(re, im).map { hypot($0, $1) }
        let peaks = magnitude.indices.sorted { magnitude[$0] > magnitude[$1] }.prefix(2).sorted()
        #expect(peaks == [440, 1250], "strongest bins \(peaks) Hz, expected 440 and 1250")
        let leakage = magnitude.indices.filter { abs($0 - 440) > 20 && abs($0 - 1250) > 20 }.map { magnitude[$0] }.max()!
        let ratio = 20 * log10(Double(magnitude[440] / leakage))
        #expect(ratio > 60, "440 Hz peak only \(ratio) dB above the strongest bin away from the tones")
    }

    @Test func preprocessorPadsAndTrimsToMaxLength() throws {
        let url = AudioReference.url("speech_16000.wav")  // 30265 samples, 1.89 s
        let padded = try AudioPreprocessor(maxSeconds: 3).logMel(from: url)
        #expect(padded.shape == [80, 300], "padded to 3 s: \(padded.shape), expected [80, 300]")
        let trimmed = try AudioPreprocessor(maxSeconds: 1).logMel(from: url)
        #expect(trimmed.shape == [80, 100], "trimmed to 1 s: \(trimmed.shape), expected [80, 100]")
        let own = try AudioPreprocessor(maxSeconds: 3, padToMax: false).logMel(from: url)
        #expect(own.shape == [80, 189], "unpadded: \(own.shape), expected [80, 189]")

        // Padding is silence appended before the front end, as Whisper's pad_or_trim does: only
        // the frames whose window reaches the end of the speech (t ≥ 187) see it.
        let reference = try AudioReference.tensor("log_mel").array
        var worst: Float = 0
        for m in 0..<80 {
            for t in 0..<187 { worst = max(worst, abs(padded.data[m * 300 + t] - reference[m * 189 + t])) }
        }
        #expect(worst < 1e-4, "padded clip's speech frames differ from the unpadded reference by up to \(worst)")
        let tail = padded.array.enumerated().filter { $0.offset % 300 >= 190 }.map(\.element)
        let floor = reference.max()! - 2  // (max − 8 + 4) / 4 in the normalised units
        #expect(tail.allSatisfy { abs($0 - floor) < 1e-4 }, "silent padding should sit at the clamp floor \(floor); got \(tail.min()!)…\(tail.max()!)")
    }
}
