import Foundation
import Inputs
import Kernels

/// What `moe-mm data check` finds in a manifest: every line parsed and typed, every image and
/// audio file decoded through Inputs, every problem with its line number, and a summary.
public struct ManifestCheck: Sendable {
    public let file: String
    public private(set) var samples = 0
    /// Every problem, in line order; empty means the manifest is usable as it is.
    public private(set) var problems: [ManifestError] = []
    public private(set) var tasks: [String: Int] = [:]
    /// Inputs per sample: "image", "audio", "image+audio" or "text only".
    public private(set) var inputs: [String: Int] = [:]
    public private(set) var imageSizes: [String: Int] = [:]
    public private(set) var audioSeconds: [Double] = []
    public private(set) var duplicateIDs = 0

    /// Checks `url`; never throws: an unreadable manifest is a problem like any other.
    public init(_ url: URL) {
        file = url.relativePath
        let manifest: Manifest
        do { manifest = try Manifest(contentsOf: url, skipBadLines: true, checkFiles: true) } catch {
            problems = [error as? ManifestError ?? ManifestError(file: file, line: nil, reason: "\(error)")]
            return
        }
        problems = manifest.skipped
        let found = manifest.samples
        var decoded = [Decoded](repeating: Decoded(), count: found.count)
        decoded.withUnsafeMutableBufferPointer { out in
            parallelFor(found.count, minimumPerChunk: 8) { range in
                for i in range { out[i] = Decoded(found[i], file: file) }
            }
        }
        var ids: Set<String> = []
        for (sample, d) in zip(found, decoded) {
            if !d.problems.isEmpty { problems += d.problems; continue }
            samples += 1
            tasks[sample.task ?? "(none)", default: 0] += 1
            let kinds = [sample.image != nil ? "image" : nil, sample.audio != nil ? "audio" : nil].compactMap { $0 }
            inputs[kinds.isEmpty ? "text only" : kinds.joined(separator: "+"), default: 0] += 1
            if let size = d.imageSize { imageSizes[size, default: 0] += 1 }
            if let seconds = d.audioSeconds { audioSeconds.append(seconds) }
            if !ids.insert(sample.id).inserted { duplicateIDs += 1 }
        }
        problems.sort { ($0.line ?? 0) < ($1.line ?? 0) }
    }

    /// The result of decoding one sample's files.
    struct Decoded {
        var problems: [ManifestError] = []
        var imageSize: String?
        var audioSeconds: Double?

        init() {}

        init(_ sample: Sample, file: String) {
            if let url = sample.image {
                do {
                    let image = try PNG.decode(contentsOf: url)
                    imageSize = "\(image.width)x\(image.height)"
                } catch {
                    problems.append(ManifestError(file: file, line: sample.line, reason: "unreadable image: \(error)"))
                }
            }
            if let url = sample.audio {
                do {
                    let audio = try AudioFile.read(url)
                    if audio.samples.isEmpty { throw DatasetError("\(url.path): no samples") }
                    audioSeconds = audio.seconds
                } catch {
                    problems.append(ManifestError(file: file, line: sample.line, reason: "unreadable audio: \(error)"))
                }
            }
        }
    }

    /// A few lines: counts per task and input, image sizes, audio durations.
    public var summary: String {
        func counts(_ d: [String: Int]) -> String {
            d.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        var lines = ["\(file): \(samples) good samples, \(problems.count) problem\(problems.count == 1 ? "" : "s")"]
        if !tasks.isEmpty { lines.append("  tasks: \(counts(tasks))") }
        if !inputs.isEmpty { lines.append("  inputs: \(counts(inputs))") }
        if !imageSizes.isEmpty { lines.append("  image sizes: \(counts(imageSizes))") }
        if !audioSeconds.isEmpty {
            let total = audioSeconds.reduce(0, +)
            lines.append(String(format: "  audio: %d clips, %.2f–%.2f s, mean %.2f s, total %.1f min",
                                audioSeconds.count, audioSeconds.min()!, audioSeconds.max()!,
                                total / Double(audioSeconds.count), total / 60))
        }
        if duplicateIDs > 0 { lines.append("  note: \(duplicateIDs) samples repeat an earlier id") }
        return lines.joined(separator: "\n")
    }
}
