import Foundation
import Inputs
import Kernels
import Model
import Testing
import TestSupport
import Training

/// The steps at which the trainer evaluates (or checkpoints) with cadence `every` in a run of `steps`.
private func firings(every: Int, steps: Int) -> [Int] {
    (1...steps).filter { $0 % every == 0 || $0 == steps }
}

@Suite struct CompressedScheduleTests {
    /// The tiny recipe's shape: 9000 steps, warm-up 200, evaluations and checkpoints every 1000.
    func recipe(_ dir: TemporaryDirectory) throws -> Recipe {
        var r = try tinyRecipe(steps: 9000, checkpointEvery: 1000, out: dir.url)
        r.schedule.warmup = 200
        r.eval.every = 1000
        return r
    }

    @Test func threeThousandStepsKeepTheRecipesNineEvaluationsAndWarmup() throws {
        let dir = try TemporaryDirectory()
        let c = try recipe(dir).compressed(toSteps: 3000)
        #expect(c.schedule.steps == 3000 && c.schedule.warmup == 200, "steps \(c.schedule.steps), warm-up \(c.schedule.warmup)")
        let evals = firings(every: c.eval.every, steps: 3000)
        #expect(evals.count == 9 && evals.last == 3000, "evaluations at \(evals) (every \(c.eval.every)), want 9 ending at 3000")
        let saves = firings(every: c.checkpoint.every, steps: 3000)
        #expect(saves.count == 9, "checkpoints at \(saves), want 9")
    }

    @Test func shortRunsWarmUpForATenthAndStillEvaluate() throws {
        let dir = try TemporaryDirectory()
        let c = try recipe(dir).compressed(toSteps: 30)
        #expect(c.schedule.warmup == 3, "warm-up \(c.schedule.warmup) for 30 steps, want 3 (a tenth)")
        let evals = firings(every: c.eval.every, steps: 30)
        // 30 < 9 × 8 steps, so a whole-step spacing of 4 fits 8 evaluations, the last at step 30.
        #expect(evals == [4, 8, 12, 16, 20, 24, 28, 30], "evaluations at \(evals)")
        let one = try recipe(dir).compressed(toSteps: 1)
        #expect(firings(every: one.eval.every, steps: 1) == [1] && one.schedule.warmup == 0,
                "1 step: evaluations at \(firings(every: one.eval.every, steps: 1)), warm-up \(one.schedule.warmup)")
    }

    @Test func cosineEndsAtTheCompressedLength() throws {
        let dir = try TemporaryDirectory()
        let r = try recipe(dir)
        let c = try r.compressed(toSteps: 300)
        let s = LRSchedule(peak: c.optimizer.lr, warmup: c.schedule.warmup, total: c.schedule.steps, minRatio: c.schedule.minLRRatio)
        let floor = c.optimizer.lr * c.schedule.minLRRatio
        #expect(s.rate(at: 300) == floor, "rate at step 300 is \(s.rate(at: 300)), want the floor \(floor)")
        let half = s.rate(at: c.schedule.warmup + (300 - c.schedule.warmup) / 2)
        let mid = c.optimizer.lr * (c.schedule.minLRRatio + (1 - c.schedule.minLRRatio) * 0.5)
        #expect(abs(half - mid) < 1e-6, "rate half-way through the decay is \(half), want \(mid)")
    }

    @Test func zeroStepsIsRefused() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: ConfigError.self) { try recipe(dir).compressed(toSteps: 0) }
    }

    @Test func differencesNameTheChangedSectionsOnly() throws {
        let dir = try TemporaryDirectory()
        let r = try recipe(dir)
        var moved = r
        moved.out = "elsewhere"
        #expect(r.differences(from: moved).isEmpty, "a moved run folder differs in \(r.differences(from: moved))")
        let parts = r.differences(from: try r.compressed(toSteps: 30))
        #expect(parts == ["schedule", "eval", "checkpoint"], "compressed recipe differs in \(parts)")
    }

    @Test func checkpointsRecordTheRecipeAndMetricsLogTokensAndTime() throws {
        let dir = try TemporaryDirectory()
        let recipe = try tinyRecipe(steps: 40, checkpointEvery: 100, out: dir.url).compressed(toSteps: 3)
        let trainer = try Trainer(recipe: recipe, model: MultimodalMoE(recipe.model), loader: tinyLoader(recipe),
                                  validation: [], tokenizerJSON: Data("{}".utf8), runDir: dir.url, interactive: false)
        try trainer.run()

        let stepDir = try #require(try Trainer.stepDirectories(dir.url).last)
        let state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stepDir.appendingPathComponent(TrainerState.jsonFile)))
        #expect(state.recipe?.schedule.steps == 3, "trainer_state.json records \(String(describing: state.recipe?.schedule.steps)) steps, want 3")
        #expect((state.elapsedSeconds ?? -1) > 0, "elapsed seconds \(String(describing: state.elapsedSeconds))")

        // The first step's two micro-batches, drawn again from a fresh loader with the same seed.
        let loader = tinyLoader(recipe)
        let batches = try (0..<recipe.optimizer.accumulation).map { _ in try loader.next().batch }
        var want: [String: Int] = ["text": 0, "image": 0, "audio": 0]
        for b in batches { for m in b.modality { want[m.description]! += 1 } }
        let earlier = batches.flatMap(\.segments).reduce(0) { $0 + $1.length * ($1.length - 1) / 2 }
        let positions = batches.reduce(0) { $0 + $1.count }

        let lines = try String(contentsOf: dir.file("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let got = ["text", "image", "audio"].map { first["tokens_\($0)"] as? Int }
        #expect(got == ["text", "image", "audio"].map { want[$0] }, "step 1 logged tokens \(got), the batches hold \(want)")
        let context = first["mean_context"] as? Double ?? -1
        #expect(abs(context - Double(earlier) / Double(positions)) < 1e-9,
                "mean context \(context), want \(Double(earlier) / Double(positions))")
        let times = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["elapsed_s"] as? Double }
        #expect(times.count == 3 && times == times.sorted() && times[0] > 0, "elapsed_s per step \(times)")
    }
}
