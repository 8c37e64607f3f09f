import Foundation
import Inputs
import Model
import Testing
import TestSupport

@Suite struct GenerationDefaultsTests {
    @Test func eachKindOfInputGetsItsMostCommonTrainingPrompt() throws {
        let png = URL(fileURLWithPath: "/x.png"), flac = URL(fileURLWithPath: "/x.flac")
        let samples = [
            Sample(id: "1", image: png, prompt: "describe", text: "a", references: ["a"]),
            Sample(id: "2", image: png, prompt: "what is this", text: "a", references: ["a"]),
            Sample(id: "3", image: png, prompt: "describe", text: "a", references: ["a"]),
            Sample(id: "4", audio: flac, prompt: "transcribe", text: "a", references: ["a"]),
            Sample(id: "5", image: png, audio: flac, prompt: "answer", text: "a", references: ["a"]),
            Sample(id: "6", prompt: "", text: "a", references: ["a"]),
        ]
        let defaults = GenerationDefaults(mostCommonPromptsOf: samples)
        #expect(defaults.prompts == ["image": "describe", "audio": "transcribe", "image+audio": "answer", "text": ""],
                "prompts were \(defaults.prompts)")

        let dir = try TemporaryDirectory()
        #expect(try GenerationDefaults.load(dir.url) == GenerationDefaults(), "a checkpoint without the file has no defaults")
        try Checkpoint.save(MultimodalMoE(tinyTestConfig()), tokenizerJSON: Data("{}".utf8), generation: defaults, to: dir.url)
        #expect(try GenerationDefaults.load(dir.url) == defaults, "generation_config.json did not round-trip")
    }
}
