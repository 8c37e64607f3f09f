import Foundation
import Inputs
import Testing
import TestSupport

@Suite struct AudioFileTests {
    private func speech() throws -> [Float] { try AudioFile.read(AudioReference.url("speech_16000.wav")).samples }

    @Test(arguments: [AudioFileFormat.flac, .wav])
    func writeThenReadRoundTripsExactlyAndRebuildsByteIdentical(format: AudioFileFormat) throws {
        let scratch = try TemporaryDirectory()
        let samples = try speech()
        let first = scratch.file("a.\(format.rawValue)"), second = scratch.file("b.\(format.rawValue)")
        try AudioFile.write(samples, sampleRate: 16000, to: first)
        try AudioFile.write(samples, sampleRate: 16000, to: second)
        let back = try AudioFile.read(first)
        #expect(back.sampleRate == 16000, "\(format) read back at \(back.sampleRate) Hz")
        let r = closeness(back.samples, samples, rtol: 0, atol: 0, "\(format) round trip of 16-bit speech")
        #expect(r.ok, "\(r.message)")
        let (a, b) = (try Data(contentsOf: first), try Data(contentsOf: second))
        #expect(a == b, "two \(format) writes of the same samples differ (\(a.count) vs \(b.count) bytes)")
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        #expect(left == ["a.\(format.rawValue)", "b.\(format.rawValue)"], "directory holds \(left) after the writes")
    }

    @Test func rewritingReplacesTheFileAndClipsOutOfRangeSamples() throws {
        let scratch = try TemporaryDirectory(), url = scratch.file("clip.flac")
        try AudioFile.write([Float](repeating: 0.1, count: 100), sampleRate: 16000, to: url)
        try AudioFile.write([0.5, 1.5, -2, -0.25], sampleRate: 8000, to: url)
        let back = try AudioFile.read(url)
        #expect(back.sampleRate == 8000, "rewritten file reads at \(back.sampleRate) Hz, expected 8000")
        #expect(back.samples == [0.5, 32767 / 32768, -1, -0.25], "rewritten samples \(back.samples)")
    }

    @Test func oggVorbisWritesAndDecodes() throws {
        let scratch = try TemporaryDirectory(), url = scratch.file("tone.ogg")
        let tone = (0..<16000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
        try AudioFile.write(tone, sampleRate: 16000, to: url)
        let back = try AudioFile.read(url)
        #expect(back.sampleRate == 16000 && back.samples.count == 16000, "ogg read back \(back.samples.count) samples at \(back.sampleRate) Hz")
        let snr = snrDB(back.samples[...], tone[...])
        #expect(snr > 30, "lossy Vorbis 440 Hz tone: SNR \(snr) dB")
    }

    @Test func streamedFLACWithoutALengthDecodesToTheEnd() throws {
        // Zero the 36-bit total-samples field of STREAMINFO, as a streaming encoder leaves it.
        var bytes = try Data(contentsOf: AudioReference.url("speech_22050.flac"))
        bytes[21] &= 0xF0
        for i in 22..<26 { bytes[i] = 0 }
        let streamed = try AudioFile.decode(bytes, name: "streamed.flac")
        let whole = try AudioFile.read(AudioReference.url("speech_22050.flac"))
        #expect(streamed == whole, "streamed FLAC gave \(streamed.samples.count) samples at \(streamed.sampleRate) Hz, expected \(whole.samples.count) at \(whole.sampleRate)")
    }

    /// A RIFF/WAVE file with a 16-byte fmt chunk around `payload`.
    private func wav(tag: UInt16, channels: UInt16, bits: UInt16, payload: [UInt8]) -> Data {
        func le32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
        func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        let block = Int(channels) * Int(bits) / 8
        var bytes = Array("RIFF".utf8) + le32(36 + payload.count) + Array("WAVEfmt ".utf8) + le32(16)
        bytes += le16(tag) + le16(channels) + le32(8000) + le32(8000 * block) + le16(UInt16(block)) + le16(bits)
        bytes += Array("data".utf8) + le32(payload.count) + payload
        return Data(bytes)
    }

    @Test func pcm24Pcm32AndFloatWAVsDecodeToNormalisedMono() throws {
        func ints(_ values: [Int32], bytes: Int) -> [UInt8] {
            values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0.prefix(bytes)) } }
        }
        let pcm24 = try AudioFile.decode(wav(tag: 1, channels: 1, bits: 24, payload: ints([0, 1 << 22, -(1 << 23), -(1 << 21)], bytes: 3)), name: "pcm24.wav")
        #expect(pcm24.samples == [0, 0.5, -1, -0.25], "24-bit PCM decoded to \(pcm24.samples)")
        let pcm32 = try AudioFile.decode(wav(tag: 1, channels: 1, bits: 32, payload: ints([0, 1 << 30, Int32.min, -(1 << 29)], bytes: 4)), name: "pcm32.wav")
        #expect(pcm32.samples == [0, 0.5, -1, -0.25], "32-bit PCM decoded to \(pcm32.samples)")
        let frames: [Float] = [0.5, 0.25, -0.25, 0.25, 1, -1]  // (L, R) pairs
        let float = try AudioFile.decode(wav(tag: 3, channels: 2, bits: 32, payload: frames.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }), name: "float.wav")
        #expect(float.sampleRate == 8000 && float.samples == [0.375, 0, 0], "float stereo downmixed to \(float.samples) at \(float.sampleRate) Hz")
    }

    @Test func unreadableFilesThrowOneLineErrorsNamingTheFile() throws {
        let scratch = try TemporaryDirectory()
        let wavBytes = try Data(contentsOf: AudioReference.url("speech_22050.wav"))
        let flacBytes = try Data(contentsOf: AudioReference.url("speech_22050.flac"))
        let cases: [(String, Data?, String)] = [
            ("empty.wav", Data(), "empty"),
            ("notes.wav", Data("these are not samples\n".utf8), "not readable as audio"),
            ("cut.wav", wavBytes.prefix(30000), "truncated"),
            ("cut.flac", flacBytes.prefix(20000), "truncated"),
            ("header.wav", wavBytes.prefix(44), "truncated"),
            ("silent.wav", wav(tag: 1, channels: 1, bits: 16, payload: []), "no audio samples"),
            ("missing.flac", nil, "cannot open: No such file or directory"),
        ]
        for (name, bytes, expected) in cases {
            let url = scratch.file(name)
            if let bytes { try bytes.write(to: url) }
            do {
                let audio = try AudioFile.read(url)
                Issue.record("\(name) decoded to \(audio.samples.count) samples instead of failing")
            } catch let error as AudioError {
                let text = error.description
                #expect(text.hasPrefix(url.path) && text.contains(expected) && !text.contains("\n"),
                        "\(name): error '\(text)' should be one line starting with the path and saying '\(expected)'")
            }
        }
    }

    @Test func badWritesThrowAndLeaveNothingBehind() throws {
        let scratch = try TemporaryDirectory()
        let cases: [(URL, [Float], String)] = [
            (scratch.file("x.mp3"), [0.1], "unknown audio extension"),
            (scratch.file("x.flac"), [0.1, .nan], "sample 1 is nan"),
            (scratch.file("x.wav"), [], "no samples"),
            (scratch.file("absent/x.flac"), [0.1], "cannot create"),
        ]
        for (url, samples, expected) in cases {
            #expect(throws: AudioError.self, "\(url.lastPathComponent): \(expected)") {
                do { try AudioFile.write(samples, sampleRate: 16000, to: url) } catch let error as AudioError {
                    #expect(error.description.hasPrefix(url.path) && error.description.contains(expected),
                            "error '\(error.description)' should name \(url.path) and say '\(expected)'")
                    throw error
                }
            }
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path)
        #expect(left.isEmpty, "failed writes left \(left) behind")
    }
}
