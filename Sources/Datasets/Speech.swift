import Dispatch
import Foundation
import Inputs
import Kernels

/// An espeak-ng voice: an English accent with an optional voice variant ("en-gb-scotland+f2").
public struct Voice: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let accent: String
    public let variant: String?
    public var description: String { variant.map { "\(accent)+\($0)" } ?? accent }
    public static func < (a: Voice, b: Voice) -> Bool { a.description < b.description }
}

/// Speech by espeak-ng, run as a separate process per clip (`espeak-ng --stdout`), decoded in
/// memory and resampled to 16 kHz with Inputs' resampler.
public struct SpeechSynthesizer: Sendable {
    /// Accents and variants combined into the candidate voices. The mbrola voices are left out:
    /// they need separate voice data that is usually not installed. Plain "en-gb" is left out too
    /// because espeak-ng 1.51 ignores variants on it (every "en-gb+x" sounds the same).
    public static let accents = ["en-us", "en-gb-scotland", "en-029", "en-gb-x-rp", "en-gb-x-gbclan",
                                 "en-gb-x-gbcwmd", "en-us-nyc"]
    public static let variants: [String?] = [nil, "f1", "f2", "f3", "f4", "m1", "m3", "m7", "klatt", "Annie", "john"]
    public static let outputRate = 16000

    public let executable: URL
    /// espeak-ng speaks at 22,050 Hz; its resampler is designed once. 80 dB of stop-band
    /// attenuation is far below synthetic speech's own noise floor and needs about 60% of the
    /// taps the default 120 dB does; resampling is most of the speech build's time.
    let resampler = Resampler(from: 22050, to: SpeechSynthesizer.outputRate, passband: 0.9, attenuation: 80)
    /// Voices that work here, split so that test speakers are never heard in train or val.
    public let trainVoices: [Voice]
    public let testVoices: [Voice]

    /// A test voice is an (accent, variant) pair whose indices sum to 4 mod 5: every accent and
    /// every variant is heard in training in other pairings, but the pair itself is new.
    static func isTestVoice(accent: Int, variant: Int) -> Bool { (accent + variant) % 5 == 4 }

    /// Finds espeak-ng and keeps the candidate voices that produce audio, dropping any that
    /// sounds exactly like an earlier one (a variant espeak-ng ignored).
    public init() throws {
        guard let exe = SpeechSynthesizer.findExecutable("espeak-ng") else {
            throw DatasetError("espeak-ng is not on PATH; install it (apt-get install espeak-ng) to build speech data")
        }
        executable = exe
        var train: [Voice] = [], test: [Voice] = [], heard: Set<Data> = []
        for (a, accent) in SpeechSynthesizer.accents.enumerated() {
            for (v, variant) in SpeechSynthesizer.variants.enumerated() {
                let voice = Voice(accent: accent, variant: variant)
                guard let wav = try? SpeechSynthesizer.run(exe, text: "a dog and a pizza", voice: voice, speed: 175, pitch: 50),
                      wav.count > 1000, heard.insert(wav).inserted else { continue }
                if SpeechSynthesizer.isTestVoice(accent: a, variant: v) { test.append(voice) } else { train.append(voice) }
            }
        }
        guard !train.isEmpty, !test.isEmpty else {
            throw DatasetError("\(exe.path): too few working English voices (\(train.count) train, \(test.count) test)")
        }
        trainVoices = train
        testVoices = test
    }

    public func voices(for split: Split) -> [Voice] { split == .test ? testVoices : trainVoices }

    /// Speaks `text` and returns mono 16 kHz audio with leading and trailing silence trimmed
    /// to 50 ms. `speed` is in words per minute, `pitch` 0–99.
    public func speak(_ text: String, voice: Voice, speed: Int, pitch: Int) throws -> Audio {
        let wav = try SpeechSynthesizer.run(executable, text: text, voice: voice, speed: speed, pitch: pitch)
        let audio = try AudioFile.decode(SpeechSynthesizer.withTrueSizes(wav), name: "espeak-ng -v \(voice)")
        let resampled: [Float]
        switch audio.sampleRate {
        case SpeechSynthesizer.outputRate: resampled = audio.samples
        case resampler.inputRate: resampled = resampler(audio.samples)
        default: resampled = Resampler(from: audio.sampleRate, to: SpeechSynthesizer.outputRate)(audio.samples)
        }
        return Audio(samples: SpeechSynthesizer.trimmed(resampled, rate: SpeechSynthesizer.outputRate),
                     sampleRate: SpeechSynthesizer.outputRate)
    }

    /// Cuts silence (|x| < 0.003) from both ends, keeping 50 ms of it on each side.
    static func trimmed(_ x: [Float], rate: Int) -> [Float] {
        guard let first = x.firstIndex(where: { abs($0) >= 0.003 }),
              let last = x.lastIndex(where: { abs($0) >= 0.003 }) else { return x }
        let margin = rate / 20
        return Array(x[max(0, first - margin)...min(x.count - 1, last + margin)])
    }

    /// espeak-ng streams WAV to stdout with placeholder chunk sizes (0x7ffff000); writes the
    /// real ones into its 44-byte header so the WAV reader does not take the clip for truncated.
    static func withTrueSizes(_ wav: Data) -> Data {
        var bytes = [UInt8](wav)
        guard bytes.count >= 44, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[36..<40].elementsEqual("data".utf8)
        else { return wav }
        func put(_ value: Int, at offset: Int) {
            for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
        }
        put(bytes.count - 8, at: 4)
        put(bytes.count - 44, at: 40)
        return Data(bytes)
    }

    static func run(_ exe: URL, text: String, voice: Voice, speed: Int, pitch: Int) throws -> Data {
        let process = Process()
        process.executableURL = exe
        process.arguments = ["-v", voice.description, "-s", String(speed), "-p", String(pitch), "--stdout", "--", text]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        // Foundation's waitUntilExit polls every 50 ms, several times the 8 ms a clip takes;
        // the termination handler fires as soon as the child is reaped.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let wav = out.fileHandleForReading.readDataToEndOfFile()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        exited.wait()
        guard process.terminationStatus == 0, !wav.isEmpty else {
            let why = String(decoding: message, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "no audio"
            throw DatasetError("espeak-ng -v \(voice) failed (exit \(process.terminationStatus)): \(why)")
        }
        return wav
    }

    static func findExecutable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
