import Foundation
import Kernels
import Model

/// `skipping.json`, written by calibration beside a checkpoint (DESIGN §4-5): the global layer
/// importance α per MoE layer and modality, the chosen thresholds, the grids and the frontier
/// walked over them, and what the calibration ran on. Keys are snake_case.
public struct SkippingFile: Codable, Sendable, Equatable {
    public static let fileName = "skipping.json"

    public var version = 1
    /// Decoder index of each MoE layer, in order; α's rows follow it.
    public var moeLayers: [Int]
    /// [MoE layer][text, image, audio]; each modality's column sums to 1 over layers that route it.
    public var alpha: [[Float]]
    public var tau: Thresholds
    public var grids: ThresholdGrid
    public var goal: SkipGoal
    /// The point chosen, with what it measured on the calibration data.
    public var chosen: WalkPoint
    /// Every grid point evaluated, in order; `on_frontier` marks the staircase.
    public var walk: [WalkPoint]
    public var calibration: Summary

    /// The chosen thresholds: `text` and `media`, or `text`, `image` and `audio` when split.
    public struct Thresholds: Codable, Sendable, Equatable {
        public var text: Float
        public var media: Float?
        public var image: Float?
        public var audio: Float?

        public init(_ tau: [Float], splitMedia: Bool) {
            text = tau[0]
            if splitMedia { image = tau[1]; audio = tau[2] } else { media = tau[1] }
        }

        /// Indexed by modality raw value; nil when the file holds neither `media` nor both of
        /// `image` and `audio`.
        public var values: [Float]? {
            if let media { return [text, media, media] }
            guard let image, let audio else { return nil }
            return [text, image, audio]
        }
    }

    /// One evaluated grid point: indices into `grids` and what the pass measured.
    public struct WalkPoint: Codable, Sendable, Equatable {
        public var textIndex: Int
        public var mediaIndex: Int
        public var onFrontier: Bool
        public var skipRatio: Double
        public var kl: Double
        public var crossEntropy: Double

        public init(textIndex: Int, mediaIndex: Int, onFrontier: Bool, _ m: Measurement) {
            self.textIndex = textIndex
            self.mediaIndex = mediaIndex
            self.onFrontier = onFrontier
            skipRatio = m.skipRatio
            kl = m.kl
            crossEntropy = m.crossEntropy
        }
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var examples: Int
        public var answerTokens: Int
        public var batchSize: Int
        public var unskippedCrossEntropy: Double
    }

    /// The rule each MoE layer gets: its α row and the chosen thresholds. Errors start with
    /// `source`, the file's name or path.
    public func rules(source: String = SkippingFile.fileName) throws -> [SkipRule] {
        guard version == 1 else { throw SkippingFileError("\(source): version \(version) is not supported (1 is)") }
        guard let tau = tau.values else { throw SkippingFileError("\(source): tau needs 'media', or 'image' and 'audio'") }
        guard tau.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw SkippingFileError("\(source): tau \(tau) must be finite and ≥ 0") }
        return try alpha.enumerated().map { l, row in
            guard row.count == 3, row.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }) else {
                throw SkippingFileError("\(source): alpha of MoE layer \(l) must be three values in [0, 1] (text, image, audio), got \(row)")
            }
            return SkipRule(alpha: row, tau: tau)
        }
    }

    /// Installs the rules on every MoE layer of `model`; refuses a file calibrated for other
    /// layers. Errors start with `source`, the file's name or path.
    public func install(into model: MultimodalMoE, source: String = SkippingFile.fileName) throws {
        let layers = model.blocks.indices.filter { model.blocks[$0].moe != nil }
        guard alpha.count == layers.count, moeLayers.count == layers.count else {
            throw SkippingFileError("\(source): has importance for \(alpha.count) MoE layers, the model has \(layers.count)")
        }
        guard moeLayers == layers else {
            throw SkippingFileError("\(source): was calibrated for MoE layers \(moeLayers), the model's are \(layers)")
        }
        SkipSetup(name: "modes", rules: try rules(source: source)).install(into: model)
    }

    /// Replaces `url` atomically.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try AtomicFile.write(try encoder.encode(self), to: url)
    }

    /// Reads and checks `url`; errors name the file.
    public static func load(_ url: URL) throws -> SkippingFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw SkippingFileError("\(url.path): cannot read (\(error.localizedDescription))") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let file: SkippingFile
        do { file = try decoder.decode(SkippingFile.self, from: data) } catch {
            throw SkippingFileError("\(url.path): not a skipping file (\(describe(error)))")
        }
        _ = try file.rules(source: url.path)
        return file
    }

    /// Loads `url` and installs it on `model`; errors name the file.
    @discardableResult
    public static func install(_ url: URL, into model: MultimodalMoE) throws -> SkippingFile {
        let file = try load(url)
        try file.install(into: model, source: url.path)
        return file
    }

    private static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let c)?: "missing '\(path(c.codingPath + [key]))'"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?, .dataCorrupted(let c)?:
            c.codingPath.isEmpty ? c.debugDescription : "'\(path(c.codingPath))': \(c.debugDescription)"
        default: "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
}

/// A skipping file that cannot be used; one line naming the file and what is wrong.
public struct SkippingFileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
