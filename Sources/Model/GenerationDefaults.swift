import Foundation
import Inputs

/// `generation_config.json` (as Hugging Face names it): what a checkpoint expects at generation
/// time that is not architecture — the prompt it was trained with for each kind of input.
public struct GenerationDefaults: Codable, Sendable, Equatable {
    /// Keyed by `inputKey`: "text", "image", "audio" or "image+audio".
    public var prompts: [String: String]

    public static let fileName = "generation_config.json"

    public init(prompts: [String: String] = [:]) { self.prompts = prompts }

    public static func inputKey(image: Bool, audio: Bool) -> String {
        switch (image, audio) {
        case (true, true): "image+audio"
        case (true, false): "image"
        case (false, true): "audio"
        case (false, false): "text"
        }
    }

    /// The most common prompt of each kind of input among `samples` (ties: the first seen).
    public init(mostCommonPromptsOf samples: [Sample]) {
        var counts: [String: [String: Int]] = [:], order: [String: [String]] = [:]
        for s in samples {
            let key = Self.inputKey(image: s.image != nil, audio: s.audio != nil)
            if counts[key, default: [:]][s.prompt] == nil { order[key, default: []].append(s.prompt) }
            counts[key, default: [:]][s.prompt, default: 0] += 1
        }
        prompts = counts.mapValues { c in c.max { a, b in a.value < b.value }!.key }
        for (key, seen) in order {
            let best = counts[key]![prompts[key]!]!
            prompts[key] = seen.first { counts[key]![$0] == best }
        }
    }

    public func prompt(image: Bool, audio: Bool) -> String { prompts[Self.inputKey(image: image, audio: audio)] ?? "" }

    /// Reads the file from a checkpoint directory; an absent file means no defaults.
    public static func load(_ dir: URL) throws -> GenerationDefaults {
        let url = dir.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return GenerationDefaults() }
        do { return try JSONDecoder().decode(GenerationDefaults.self, from: try Data(contentsOf: url)) } catch {
            throw CheckpointError("\(url.path): not a generation config (\(error))")
        }
    }
}
