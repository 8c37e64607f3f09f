import Foundation
import Inputs
import TestSupport

/// The audio fixtures, read with a minimal safetensors loader of its own (F32 only) until the
/// Kernels safetensors reader lands in this branch.
enum AudioReference {
    static func url(_ name: String) -> URL { Fixtures.url("audio/\(name)") }

    /// The F32 tensors of `audio/log_mel.safetensors`, by name, with their shapes.
    static let tensors: [String: (shape: [Int], values: [Float])] = {
        let bytes = try! Data(contentsOf: url("log_mel.safetensors"))
        let headerLength = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        let header = try! JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + headerLength))) as! [String: Any]
        var out: [String: (shape: [Int], values: [Float])] = [:]
        for (name, entry) in header where name != "__metadata__" {
            let entry = entry as! [String: Any]
            precondition(entry["dtype"] as! String == "F32", "\(name) is not F32")
            let offsets = entry["data_offsets"] as! [Int]
            let raw = bytes.subdata(in: (8 + headerLength + offsets[0])..<(8 + headerLength + offsets[1]))
            let values = raw.withUnsafeBytes { p in
                (0..<(raw.count / 4)).map { Float(bitPattern: p.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
            }
            out[name] = (entry["shape"] as! [Int], values)
        }
        return out
    }()

    static func tensor(_ name: String) -> (shape: [Int], values: [Float]) {
        guard let t = tensors[name] else { fatalError("log_mel.safetensors has no tensor \(name)") }
        return t
    }
}

/// Signal-to-noise ratio of `actual` against `reference` in dB: 10·log10(Σ ref² / Σ (act − ref)²).
func snrDB(_ actual: ArraySlice<Float>, _ reference: ArraySlice<Float>) -> Double {
    precondition(actual.count == reference.count)
    var signal = 0.0, noise = 0.0
    for (a, r) in zip(actual, reference) {
        signal += Double(r) * Double(r)
        noise += Double(a - r) * Double(a - r)
    }
    return 10 * log10(signal / max(noise, 1e-300))
}

/// A scratch directory removed when the test ends.
final class AudioScratch {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("moemm-audio-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}
