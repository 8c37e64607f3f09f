import Foundation
import Kernels
import Model
import Testing
import TestSupport
import Training

/// A recipe around the tiny test model, decoded from text as a user's file would be
/// (JSON is YAML, so the model section is the config's own encoding).
func tinyRecipe(steps: Int, checkpointEvery: Int, out: URL) throws -> Recipe {
    let model = String(decoding: try JSONEncoder().encode(tinyTestConfig()), as: UTF8.self)
    let yaml = """
        model: \(model)
        tokenizer: {vocab_size: 23}
        data: {train: [{manifest: memory, weight: 1}], val: [], batch_size: 2, skip_bad_samples: false}
        optimizer: {lr: 0.01, betas: [0.9, 0.95], eps: 1.0e-8, weight_decay: 0.1, grad_clip: 1.0, accumulation: 2}
        schedule: {steps: \(steps), warmup: 2, min_lr_ratio: 0.1}
        eval: {every: 1000, samples: 0}
        checkpoint: {every: \(checkpointEvery), keep: 2}
        seed: 5
        out: \(out.path)
        """
    let file = out.appendingPathComponent("recipe.yaml")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    return try Recipe.load(file)
}

/// In-memory data: eight examples drawn from the tiny set, so the loader's order matters.
func tinyLoader(_ recipe: Recipe, position: DataLoader.Position? = nil) -> DataLoader {
    let examples = tinyExamples(recipe.model, seed: 1) + tinyExamples(recipe.model, seed: 2)
    return DataLoader(sources: [.init(name: "memory", count: examples.count, weight: 1)], batchSize: recipe.data.batchSize,
                      seed: recipe.seed, config: recipe.model, skipBad: false, position: position) { _, i in
        ("memory:\(i)", examples[i])
    }
}

@Suite struct ResumeTests {
    @Test func resumeIsBitExact() throws {
        let dir = try TemporaryDirectory()
        // Straight through: 6 steps.
        let straightRecipe = try tinyRecipe(steps: 6, checkpointEvery: 100, out: dir.file("straight"))
        let straight = try Trainer(recipe: straightRecipe, model: MultimodalMoE(straightRecipe.model), loader: tinyLoader(straightRecipe),
                                   validation: [], tokenizerJSON: Data("{}".utf8), runDir: dir.file("straight"), interactive: false)
        try straight.run()

        // Interrupted: 3 steps, then a fresh process' worth of objects resumes from the checkpoint.
        let recipe = try tinyRecipe(steps: 6, checkpointEvery: 100, out: dir.file("resumed"))
        let first = try Trainer(recipe: recipe, model: MultimodalMoE(recipe.model), loader: tinyLoader(recipe),
                                validation: [], tokenizerJSON: Data("{}".utf8), runDir: dir.file("resumed"), interactive: false)
        try first.run(until: 3)
        let stepDir = try #require(try Trainer.stepDirectories(dir.file("resumed")).last)
        #expect(stepDir.lastPathComponent == "step-000003", "resumed from \(stepDir.lastPathComponent)")
        let model = try Checkpoint.load(stepDir)
        let optimizer = AdamW(model.parameters, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1)
        let state = try TrainerState.load(from: stepDir, into: optimizer)
        let second = try Trainer(recipe: recipe, model: model, loader: tinyLoader(recipe, position: state.data), validation: [],
                                 tokenizerJSON: Data("{}".utf8), runDir: dir.file("resumed"), state: state, optimizer: optimizer,
                                 interactive: false)
        try second.run()

        var differing: [String] = []
        for (a, b) in zip(straight.model.parameters, second.model.parameters) where a.value.array != b.value.array {
            let worst = zip(a.value.array, b.value.array).map { abs($0 - $1) }.max() ?? 0
            differing.append("\(a.name) (max |diff| \(worst))")
        }
        #expect(differing.isEmpty, "after 3 + resume + 3 steps, \(differing.count) tensors differ from 6 straight steps: \(differing.prefix(5))")
        #expect(second.state.step == 6 && optimizer.step == 6, "resumed run ended at step \(second.state.step), optimizer step \(optimizer.step)")
    }

    @Test func onlyTheLastFewCheckpointsAreKeptAndMetricsReadAsOneRun() throws {
        let dir = try TemporaryDirectory()
        let recipe = try tinyRecipe(steps: 5, checkpointEvery: 1, out: dir.url)
        let trainer = try Trainer(recipe: recipe, model: MultimodalMoE(recipe.model), loader: tinyLoader(recipe),
                                  validation: [], tokenizerJSON: Data("{}".utf8), runDir: dir.url, interactive: false)
        try trainer.run()
        let kept = try Trainer.stepDirectories(dir.url).map(\.lastPathComponent)
        #expect(kept == ["step-000004", "step-000005"], "kept \(kept)")
        let lines = try String(contentsOf: dir.file("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        let steps = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.compactMap { $0["step"] as? Int }
        #expect(steps == [1, 2, 3, 4, 5], "metrics.jsonl steps \(steps)")
        // The run folder itself holds a loadable model for caption and evaluate.
        _ = try Checkpoint.load(dir.url)
    }
}
