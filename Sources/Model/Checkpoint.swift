import Foundation
import Kernels

/// A checkpoint directory in the Hugging Face style (DESIGN §5):
/// `config.json`, `model.safetensors` (one tensor per parameter, nn.Linear layout, expert
/// weights one tensor per expert), `tokenizer.json`, and optionally the trainer's state.
/// Each file is written atomically; `writeDirectory` makes a whole directory appear at once.
public enum Checkpoint {
    public static let configFile = "config.json"
    public static let weightsFile = "model.safetensors"
    public static let tokenizerFile = "tokenizer.json"

    /// Tensors that are part of the model but not trained by gradient: the loss-free
    /// balancing biases (they change which experts are chosen, so inference needs them).
    static func buffers(_ model: MultimodalMoE) -> [(name: String, tensor: Tensor)] {
        guard (model.config.moe?.biasUpdateRate ?? 0) > 0 else { return [] }
        return model.blocks.enumerated().flatMap { i, block in
            (block.moe?.groups ?? []).map { ("decoder.layers.\(i).moe.groups.\($0.name).selection_bias", $0.selectionBias) }
        }
    }

    /// Writes config, weights, tokenizer and generation defaults into `dir` (created if needed).
    public static func save(_ model: MultimodalMoE, tokenizerJSON: Data, generation: GenerationDefaults = GenerationDefaults(),
                            to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(model.config), to: dir.appendingPathComponent(configFile))
        let tensors = model.parameters.map { ($0.name, $0.value) } + buffers(model)
        try SafeTensorsWriter.write(tensors, metadata: ["format": "pt", "producer": "moe-mm"],
                                    to: dir.appendingPathComponent(weightsFile))
        try AtomicFile.write(tokenizerJSON, to: dir.appendingPathComponent(tokenizerFile))
        try AtomicFile.write(try encoder.encode(generation), to: dir.appendingPathComponent(GenerationDefaults.fileName))
    }

    /// Reads `config.json` from a checkpoint directory.
    public static func loadConfig(_ dir: URL) throws -> ModelConfig {
        let url = dir.appendingPathComponent(configFile)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckpointError("\(dir.path): not a checkpoint (no \(configFile))")
        }
        do {
            let config = try JSONDecoder().decode(ModelConfig.self, from: try Data(contentsOf: url))
            try config.validate()
            return config
        } catch let e as ConfigError { throw CheckpointError("\(url.path): \(e.description)") } catch {
            throw CheckpointError("\(url.path): invalid config (\(error))")
        }
    }

    /// Builds the model of `config.json` and fills it from `model.safetensors`. Every parameter
    /// must be present with its exact shape; errors name the tensor.
    public static func load(_ dir: URL) throws -> MultimodalMoE {
        let model = MultimodalMoE(try loadConfig(dir), weights: .unset)
        try loadWeights(into: model, from: dir.appendingPathComponent(weightsFile))
        return model
    }

    public static func loadWeights(into model: MultimodalMoE, from url: URL) throws {
        let file = try SafeTensorsFile(contentsOf: url)
        for (name, target) in model.parameters.map({ ($0.name, $0.value) }) + buffers(model) {
            guard let info = file.info(name) else {
                throw CheckpointError("\(url.lastPathComponent): missing tensor '\(name)'")
            }
            guard info.shape == target.shape else {
                throw CheckpointError("\(url.lastPathComponent): tensor '\(name)' has shape \(info.shape), the config needs \(target.shape)")
            }
            target.copy(from: try file.tensor(name))
        }
    }

    /// Makes `dir` appear complete or not at all: `fill` writes into a temporary sibling,
    /// which then replaces `dir` (the previous version stays loadable until the swap).
    public static func writeDirectory(_ dir: URL, _ fill: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let parent = dir.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let tmp = parent.appendingPathComponent(".\(dir.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        do { try fill(tmp) } catch { try? fm.removeItem(at: tmp); throw error }
        if fm.fileExists(atPath: dir.path) {
            let old = parent.appendingPathComponent(".\(dir.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
            try? fm.removeItem(at: old)
            try fm.moveItem(at: dir, to: old)
            try fm.moveItem(at: tmp, to: dir)
            try? fm.removeItem(at: old)
        } else {
            try fm.moveItem(at: tmp, to: dir)
        }
    }
}

public struct CheckpointError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
