import Foundation
import Kernels
import Model

/// What a resumed run needs besides the weights: the optimiser's moments
/// (`trainer_state.safetensors`, `m.<param>` and `v.<param>`) and the counters and data position
/// (`trainer_state.json`). Together with `model.safetensors` this resumes bit for bit.
public struct TrainerState: Codable, Sendable {
    public var step: Int
    public var data: DataLoader.Position
    public var bestValidationLoss: Double?
    public var skippedSamples: Int
    /// The recipe the run trains with (its compressed schedule included), so a resume can refuse
    /// another one; nil in states written before it was recorded.
    public var recipe: Recipe?
    /// Wall seconds the run has spent up to this checkpoint, over all its processes; nil in
    /// states written before it was recorded.
    public var elapsedSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case step, data, bestValidationLoss = "best_validation_loss", skippedSamples = "skipped_samples", recipe
        case elapsedSeconds = "elapsed_seconds"
    }

    public static let jsonFile = "trainer_state.json"
    public static let tensorsFile = "trainer_state.safetensors"

    public func save(optimizer: AdamW, to dir: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: dir.appendingPathComponent(Self.jsonFile))
        let moments = zip(optimizer.parameters, zip(optimizer.m, optimizer.v)).flatMap { p, mv in
            [("m.\(p.name)", mv.0), ("v.\(p.name)", mv.1)]
        }
        try SafeTensorsWriter.write(moments, metadata: ["optimizer_step": "\(optimizer.step)"],
                                    to: dir.appendingPathComponent(Self.tensorsFile))
    }

    /// Reads the state and restores the optimiser's moments and step in place.
    public static func load(from dir: URL, into optimizer: AdamW) throws -> TrainerState {
        let jsonURL = dir.appendingPathComponent(jsonFile)
        let state: TrainerState
        do { state = try JSONDecoder().decode(TrainerState.self, from: try Data(contentsOf: jsonURL)) } catch {
            throw CheckpointError("\(jsonURL.path): cannot read the trainer state (\(error))")
        }
        let file = try SafeTensorsFile(contentsOf: dir.appendingPathComponent(tensorsFile))
        for (p, (m, v)) in zip(optimizer.parameters, zip(optimizer.m, optimizer.v)) {
            for (prefix, target) in [("m", m), ("v", v)] {
                let name = "\(prefix).\(p.name)"
                guard let info = file.info(name), info.shape == target.shape else {
                    throw CheckpointError("\(tensorsFile): moment '\(name)' is missing or not shaped \(target.shape)")
                }
                target.copy(from: try file.tensor(name))
            }
        }
        guard let stepText = file.metadata["optimizer_step"], let step = Int(stepText) else {
            throw CheckpointError("\(tensorsFile): no optimizer_step in its metadata")
        }
        optimizer.restore(step: step)
        return state
    }
}
