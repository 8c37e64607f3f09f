import Evaluation
import Foundation
import Inference
import Inputs
import Kernels
import Model
import TestSupport

/// Benchmark manifests of every task in a temporary folder (`benchmarks/`), with the PNGs and
/// WAVs they point at (`media/`), and a builder whose tokenizer was trained on their texts and
/// whose tiny model's vocabulary covers it. The captions carry scenes; `vqa.jsonl` has a broken line (2), a missing image
/// (line 4) and an unknown task (line 6) among its good samples.
struct BenchmarkFixture {
    let directory: TemporaryDirectory
    let builder: ExampleBuilder
    var config: ModelConfig { builder.config }
    var benchmarks: URL { directory.url.appendingPathComponent("benchmarks") }
    func manifest(_ name: String) -> URL { benchmarks.appendingPathComponent(name + ".jsonl") }

    static let manifests: [String: [String]] = [
        "caption": [
            #"{"id": "c1", "image": "../media/0.png", "text": "a red square on green grass", "references": ["a red square on green grass", "red block on a lawn"], "task": "caption", "scene": "middle=red square|background=green"}"#,
            #"{"id": "c2", "image": "../media/1.png", "references": ["a blue circle in the sky", "blue ball up high"], "task": "caption", "scene": "top=blue circle|background=white"}"#,
            #"{"id": "c3", "image": "../media/2.png", "references": ["two green triangles", "green shapes"], "scene": "left=green triangle|right=green triangle|background=white"}"#,
        ],
        "transcribe": [
            #"{"id": "s1", "audio": "../media/0.wav", "text": "hello there", "task": "transcribe"}"#,
            #"{"id": "s2", "audio": "../media/1.wav", "text": "the cat sat down", "task": "transcribe"}"#,
        ],
        "vqa": [
            #"{"id": "v1", "image": "../media/0.png", "prompt": "what colour?", "text": "red", "references": ["red", "crimson"], "task": "vqa"}"#,
            #"{"id": "v2", "image": "../media/1.png", "prompt": "what col"#,
            #"{"id": "v3", "image": "../media/1.png", "audio": "../media/1.wav", "prompt": "what colour?", "text": "blue", "task": "vqa"}"#,
            #"{"id": "v4", "image": "../media/9.png", "prompt": "what colour?", "text": "green", "task": "vqa"}"#,
            #"{"id": "v5", "image": "../media/2.png", "prompt": "what colour?", "text": "green", "task": "vqa"}"#,
            #"{"id": "v6", "image": "../media/2.png", "prompt": "write a poem", "text": "green", "task": "poem"}"#,
        ],
        "text": [
            #"{"id": "t1", "text": "the grass is green", "task": "text"}"#,
            #"{"id": "t2", "text": "a cat sat on the mat", "task": "text"}"#,
            #"{"id": "t3", "text": "blue sky", "task": "text"}"#,
        ],
    ]

    init() throws {
        directory = try TemporaryDirectory()
        let media = directory.url.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("benchmarks"), withIntermediateDirectories: true)
        var rng = SplitMix(seed: 3)
        for i in 0..<3 {
            let bytes = (0..<8 * 8 * 3).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            try PNG.write(ByteImage(width: 8, height: 8, layout: .rgb, bytes: bytes), to: media.appendingPathComponent("\(i).png"))
        }
        for i in 0..<2 {
            let tone = (0..<2560).map { Float(0.3 * sin(Double($0) * 0.05 * Double(i + 1))) }
            try AudioFile.write(tone, sampleRate: 16000, to: media.appendingPathComponent("\(i).wav"))
        }
        var trainer = try BPETrainer(vocabSize: 300)
        for (name, lines) in Self.manifests {
            trainer.add(contentsOf: lines)
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: directory.url.appendingPathComponent("benchmarks/\(name).jsonl"))
        }
        let tokenizer = trainer.train()
        var config = tinyTestConfig()
        config.vocabSize = tokenizer.vocabSize
        builder = ExampleBuilder(config: config, tokenizer: tokenizer)
    }

    /// A fresh model (models keep per-forward state, and tests run in parallel).
    func model() -> MultimodalMoE { MultimodalMoE(config) }

    func runner(_ model: MultimodalMoE, batchSize: Int = 2, maxTokens: Int = 6) throws -> BenchmarkRunner {
        try BenchmarkRunner(model: model, builder: builder,
                            options: BenchmarkOptions(batchSize: batchSize, generation: GenerationOptions(maxTokens: maxTokens)))
    }

    /// Writes a manifest of `lines` under `name` in a folder of its own, so it stays out of `benchmarks`.
    func extraManifest(_ name: String, _ lines: [String]) throws -> URL {
        let dir = directory.url.appendingPathComponent("extra")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }
}
