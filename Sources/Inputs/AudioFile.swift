import CSndfile
import Foundation

/// Decoded audio: mono Float32 samples (nominally in [-1, 1]) at `sampleRate` Hz.
public struct Audio: Sendable, Equatable {
    public var samples: [Float]
    public var sampleRate: Int

    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    public var seconds: Double { Double(samples.count) / Double(sampleRate) }
}

/// Reading audio files through libsndfile: WAV (PCM 8/16/24/32, float), FLAC, OGG/Vorbis,
/// AIFF and whatever else the system libsndfile decodes.
public enum AudioFile {
    /// Decodes the file at `url` and downmixes it to mono (the mean of its channels), at the file's own rate.
    public static func read(_ url: URL) throws -> Audio {
        try decode(contents(of: url), name: url.path)
    }

    /// Decodes an encoded file held in memory; `name` is only used in error messages.
    public static func decode(_ data: Data, name: String) throws -> Audio {
        if data.isEmpty { throw AudioError(file: name, "empty file (0 bytes)") }
        return try data.withUnsafeBytes { raw in
            if let problem = truncatedWAVData(raw) { throw AudioError(file: name, "truncated: \(problem)") }
            let stream = MemoryStream(raw)
            var info = SF_INFO()
            var io = MemoryStream.callbacks
            guard let file = sf_open_virtual(&io, Int32(SFM_READ), &info, Unmanaged.passUnretained(stream).toOpaque())
            else {
                throw AudioError(file: name, "not readable as audio (libsndfile: \(String(cString: sf_strerror(nil))))")
            }
            defer { withExtendedLifetime(stream) { _ = sf_close(file) } }  // libsndfile reads `stream` until closed
            let channels = Int(info.channels)
            guard info.samplerate > 0, channels > 0 else {
                throw AudioError(file: name, "invalid header: \(info.samplerate) Hz, \(channels) channels")
            }
            // Read to the end in chunks: a streamed FLAC declares no length (frames = SF_COUNT_MAX).
            let declared = info.frames == sf_count_t.max ? nil : Int(info.frames)
            let chunk = max(1, (1 << 20) / channels)
            var interleaved: [Float] = []
            interleaved.reserveCapacity(min(declared ?? 0, raw.count) * channels)
            var buffer = [Float](repeating: 0, count: chunk * channels)
            while true {
                let got = buffer.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, sf_count_t(chunk)) }
                if got <= 0 { break }
                interleaved += buffer.prefix(Int(got) * channels)
            }
            let frames = interleaved.count / channels
            if let declared, frames < declared {
                throw AudioError(file: name, "truncated or corrupt: decoded \(frames) of the \(declared) frames its header declares")
            }
            guard frames > 0 else { throw AudioError(file: name, "contains no audio samples") }
            return Audio(samples: downmix(interleaved, channels: channels), sampleRate: Int(info.samplerate))
        }
    }

    /// The mean of the channels of interleaved frames.
    static func downmix(_ interleaved: [Float], channels: Int) -> [Float] {
        if channels == 1 { return interleaved }
        let frames = interleaved.count / channels
        let scale = 1 / Float(channels)
        var mono = [Float](repeating: 0, count: frames)
        interleaved.withUnsafeBufferPointer { x in
            for i in 0..<frames {
                var s: Float = 0
                for c in 0..<channels { s += x[i * channels + c] }
                mono[i] = s * scale
            }
        }
        return mono
    }

    /// libsndfile quietly shortens a WAV whose `data` chunk runs past the end of the file; a
    /// dataset must not, so this reports it. Streamed WAVs that leave the size 0 or 0xFFFFFFFF pass.
    private static func truncatedWAVData(_ bytes: UnsafeRawBufferPointer) -> String? {
        func tag(_ at: Int) -> String { String(decoding: bytes[at..<at + 4], as: UTF8.self) }
        func u32(_ at: Int) -> Int { Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian) }
        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else { return nil }
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = u32(offset + 4)
            if tag(offset) == "data" {
                let present = bytes.count - offset - 8
                if size != 0, size != 0xFFFF_FFFF, size > present {
                    return "the WAV data chunk declares \(size) bytes but only \(present) are present"
                }
                return nil
            }
            offset += 8 + size + (size & 1)
        }
        return nil
    }

    /// The file's bytes, with the system's own reason (no such file, permission denied, …) on failure.
    private static func contents(of url: URL) throws -> Data {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AudioError(file: url.path, "cannot open: \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var status = stat()
        if fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { throw AudioError(file: url.path, "is a directory") }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw AudioError(file: url.path, "cannot read: \((error as NSError).localizedDescription)")
        }
    }
}

/// An in-memory file for `sf_open_virtual`, so decoding works on bytes (from disk or an archive).
private final class MemoryStream {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func from(_ user: UnsafeMutableRawPointer?) -> MemoryStream {
        Unmanaged<MemoryStream>.fromOpaque(user!).takeUnretainedValue()
    }

    static let callbacks = SF_VIRTUAL_IO(
        get_filelen: { user in sf_count_t(from(user).bytes.count) },
        seek: { offset, whence, user in
            let s = from(user)
            let base: Int
            switch whence {
            case SEEK_CUR: base = s.position
            case SEEK_END: base = s.bytes.count
            default: base = 0
            }
            s.position = min(max(base + Int(offset), 0), s.bytes.count)
            return sf_count_t(s.position)
        },
        read: { destination, count, user in
            let s = from(user)
            let n = min(Int(count), s.bytes.count - s.position)
            if n > 0, let destination {
                destination.copyMemory(from: s.bytes.baseAddress! + s.position, byteCount: n)
                s.position += n
            }
            return sf_count_t(max(n, 0))
        },
        write: { _, _, _ in 0 },
        tell: { user in sf_count_t(from(user).position) })
}
