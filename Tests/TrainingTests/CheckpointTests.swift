import Foundation
import Kernels
import Model
import Testing
import TestSupport
import Training

@Suite struct CheckpointTests {
    func saved() throws -> (TemporaryDirectory, MultimodalMoE) {
        let dir = try TemporaryDirectory()
        let model = MultimodalMoE(tinyTestConfig())
        try Checkpoint.save(model, tokenizerJSON: Data("{}".utf8), to: dir.url)
        return (dir, model)
    }

    func loadError(_ dir: URL) -> String {
        do { _ = try Checkpoint.load(dir); return "loaded without error" } catch { return "\(error)" }
    }

    @Test func roundTripRestoresEveryWeight() throws {
        let (dir, model) = try saved()
        let loaded = try Checkpoint.load(dir.url)
        for (a, b) in zip(model.parameters, loaded.parameters) {
            #expect(a.name == b.name && a.value.array == b.value.array, "\(a.name) did not round-trip")
        }
    }

    @Test func missingTensorIsNamed() throws {
        let (dir, model) = try saved()
        let dropped = "decoder.layers.1.moe.groups.media.experts.2.w1"
        let kept = model.parameters.filter { $0.name != dropped }.map { ($0.name, $0.value) }
        try SafeTensorsWriter.write(kept, to: dir.file(Checkpoint.weightsFile))
        let message = loadError(dir.url)
        #expect(message.contains("missing tensor '\(dropped)'"), "error was: \(message)")
    }

    @Test func wrongShapeNamesTensorAndBothShapes() throws {
        let (dir, model) = try saved()
        let tensors = model.parameters.map { p in
            (p.name, p.name == "decoder.norm.weight" ? Tensor(zeros: [7]) : p.value)
        }
        try SafeTensorsWriter.write(tensors, to: dir.file(Checkpoint.weightsFile))
        let message = loadError(dir.url)
        #expect(message.contains("'decoder.norm.weight'") && message.contains("[7]") && message.contains("[16]"), "error was: \(message)")
    }

    @Test func wrongConfigIsRefusedNamingTheFile() throws {
        let (dir, _) = try saved()
        try Data(#"{"vocab_size": 23, "d_model": 15, "layers": 2, "heads": 2, "ffn_hidden": 24, "max_positions": 64}"#.utf8)
            .write(to: dir.file(Checkpoint.configFile))
        let message = loadError(dir.url)
        #expect(message.contains("config.json") && message.contains("d_model 15"), "error was: \(message)")
    }

    @Test func truncatedWeightsAreRefusedNamingTheFile() throws {
        let (dir, _) = try saved()
        let data = try Data(contentsOf: dir.file(Checkpoint.weightsFile))
        try data.prefix(data.count / 2).write(to: dir.file(Checkpoint.weightsFile))
        let message = loadError(dir.url)
        #expect(message.contains("model.safetensors"), "error was: \(message)")
    }

    @Test func anInterruptedSaveLeavesThePreviousCheckpointLoadable() throws {
        let dir = try TemporaryDirectory()
        let target = dir.file("step-000001")
        let first = MultimodalMoE(tinyTestConfig())
        try Checkpoint.writeDirectory(target) { try Checkpoint.save(first, tokenizerJSON: Data("{}".utf8), to: $0) }
        struct Interrupted: Error {}
        var second = tinyTestConfig()
        second.seed = 99
        #expect(throws: Interrupted.self) {
            try Checkpoint.writeDirectory(target) { tmp in
                try Checkpoint.save(MultimodalMoE(second), tokenizerJSON: Data("{}".utf8), to: tmp)
                throw Interrupted()  // as if killed after the weights, before the directory swap
            }
        }
        let loaded = try Checkpoint.load(target)
        #expect(loaded.parameters[0].value.array == first.parameters[0].value.array, "the previous checkpoint's weights changed")
        #expect(dir.contents == ["step-000001"], "left behind: \(dir.contents)")
    }
}
