import CSndfile
import Foundation
import Kernels

/// The containers `AudioFile.write` produces.
public enum AudioFileFormat: String, CaseIterable, Sendable {
    /// FLAC, 16-bit: lossless for 16-bit sources and byte-for-byte deterministic (for one libFLAC version).
    case flac
    /// WAV, 16-bit PCM, deterministic.
    case wav
    /// OGG/Vorbis, lossy; not byte-deterministic (libsndfile picks a random stream serial number).
    case ogg

    /// The format a file name's extension asks for (`.flac`, `.wav`, `.ogg`), or nil.
    public init?(url: URL) {
        self.init(rawValue: url.pathExtension.lowercased())
    }

    var sndfileFormat: Int32 {
        switch self {
        case .flac: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
        case .wav: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        case .ogg: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)
        }
    }
}

extension AudioFile {
    /// Writes mono `samples` (in [-1, 1]; clipped beyond) to `url` atomically (`AtomicFile`), so a
    /// reader never sees a half-written file. The format
    /// comes from the extension unless given. 16-bit formats store `round(x · 32768)`, so samples
    /// decoded from a 16-bit file survive a write → read round trip exactly.
    public static func write(_ samples: [Float], sampleRate: Int, to url: URL, format: AudioFileFormat? = nil) throws {
        let path = url.path
        guard let format = format ?? AudioFileFormat(url: url) else {
            throw AudioError(file: path, "unknown audio extension '.\(url.pathExtension)' (use .flac, .wav or .ogg)")
        }
        guard sampleRate > 0, sampleRate <= 655_350 else { throw AudioError(file: path, "invalid sample rate \(sampleRate)") }
        guard !samples.isEmpty else { throw AudioError(file: path, "no samples to write") }
        if let bad = samples.firstIndex(where: { !$0.isFinite }) {
            throw AudioError(file: path, "sample \(bad) is \(samples[bad]), not a finite number")
        }

        do {
            try AtomicFile.write(to: url) { handle in
                try encode(samples, sampleRate: sampleRate, format: format, fd: handle.fileDescriptor, name: path)
            }
        } catch let error as AudioError {
            throw error
        } catch {
            throw AudioError(file: path, "cannot write: \(error)")
        }
    }

    private static func encode(_ samples: [Float], sampleRate: Int, format: AudioFileFormat, fd: Int32, name: String) throws {
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = 1
        info.format = format.sndfileFormat
        guard let file = sf_open_fd(fd, Int32(SFM_WRITE), &info, 0) else {
            throw AudioError(file: name, "libsndfile cannot write \(format.rawValue): \(String(cString: sf_strerror(nil)))")
        }
        let written: sf_count_t
        if format == .ogg {
            written = samples.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t($0.count)) }
        } else {
            let pcm = quantize16(samples)
            written = pcm.withUnsafeBufferPointer { sf_writef_short(file, $0.baseAddress, sf_count_t($0.count)) }
        }
        let problem = written == samples.count ? nil : String(cString: sf_strerror(file))
        // sf_close finalises the header (FLAC STREAMINFO, WAV sizes); its failure is a failed write too.
        let closed = sf_close(file)
        if let problem { throw AudioError(file: name, "wrote \(written) of \(samples.count) samples: \(problem)") }
        if closed != 0 { throw AudioError(file: name, "libsndfile failed to finish the file: \(String(cString: sf_error_number(closed)))") }
    }

    /// round(x · 32768) clipped to Int16, the inverse of libsndfile's int16 → float (x / 32768).
    static func quantize16(_ samples: [Float]) -> [Int16] {
        samples.map { Int16(max(-32768, min(32767, ($0 * 32768).rounded(.toNearestOrEven)))) }
    }
}
