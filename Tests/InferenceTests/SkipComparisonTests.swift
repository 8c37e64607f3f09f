import Foundation
@testable import Inference
import Kernels
import Model
import Testing
import TestSupport

@Suite struct SkipComparisonTests {
    typealias Tiny = SkippingTinyModel

    /// Answer tokens generated in place, as a fraction of the examples' target tokens.
    static func tokenAccuracy(_ generations: [Generation]) -> Double {
        var hits = 0, total = 0
        for (ex, g) in zip(Tiny.calibrationExamples, generations) {
            hits += zip(ex.target, g.tokens).filter { $0 == $1 }.count
            total += ex.target.count
        }
        return Double(hits) / Double(total)
    }

    /// MoDES and the gate threshold land near each target (MoDES at or above it, within a grid
    /// step); top-1 skips exactly 1 − 1/k = 0.5 whatever the target, since both groups route top-2.
    @Test func everyMethodIsComparedAtEveryTargetAndSkippedRowsAreNotComputed() throws {
        let targets = [0.25, 0.5]
        let cal = try Calibration(model: Tiny.model(), examples: Tiny.calibrationExamples, batchSize: 3)
        // A rule installed beforehand must not leak into the comparison, and is put back after it.
        let before = SkipRule(alpha: [1, 1, 1], tau: [0.3, 0.3, 0.3])
        cal.model.moeLayers[1].skip = before
        var scored = 0
        let options = SkipComparison.Options(targets: targets, grid: GridOptions(textPoints: 8, mediaPoints: 8), rounds: 1,
                                             generation: GenerationOptions(maxTokens: 8), batchSize: 4)
        let result = try SkipComparison.run(cal, prompts: Tiny.calibrationExamples, options: options) { generations in
            scored += 1
            #expect(generations.count == Tiny.calibrationExamples.count, "scored \(generations.count) generations")
            return Self.tokenAccuracy(generations)
        }
        let methods = result.rows.map { "\($0.target.map { String($0) } ?? "-") \($0.method)" }
        #expect(methods == ["- none", "0.25 modes", "0.25 top-1", "0.25 gate-threshold", "0.5 modes", "0.5 top-1", "0.5 gate-threshold"],
                "rows: \(methods)")
        // none, top-1, and per target MoDES and the gate threshold, unless two coincide.
        #expect(scored <= 2 + 2 * targets.count && scored >= 3, "the score ran \(scored) times")

        let none = result.rows[0]
        #expect(none.measurement.skipRatio == 0 && none.measurement.kl == 0 && none.generationSkipRatio == 0 && none.generationTextSkipRatio == 0,
                "unskipped: skip \(none.measurement.skipRatio), KL \(none.measurement.kl), generation skip \(none.generationSkipRatio)")
        #expect(none.quality == Self.tokenAccuracy(try Generator(model: Tiny.model()).generate(Tiny.calibrationExamples,
                                                                                               options: options.generation)),
                "the unskipped quality differs from a fresh model's generations")
        for row in result.rows.dropFirst() {
            let m = row.measurement, target = row.target!, what = "\(row.method) at \(target)"
            switch row.method {
            case "top-1":
                #expect(m.skipRatio == 0.5 && row.generationSkipRatio == 0.5 && row.generationTextSkipRatio == 0.5,
                        "\(what): skip \(m.skipRatio) teacher-forced, \(row.generationSkipRatio) generating, \(row.generationTextSkipRatio) of text; top-2 → top-1 is 0.5")
            case "modes":
                #expect(m.skipRatio >= target && m.skipRatio <= target + 0.15, "\(what): skip \(m.skipRatio), tolerance +0.15")
                #expect(row.tau?.count == 3 && (row.passes ?? 0) > 0, "\(what): tau \(String(describing: row.tau)), passes \(String(describing: row.passes))")
            default:
                #expect(abs(m.skipRatio - target) <= 0.1, "\(what): skip \(m.skipRatio), tolerance ±0.1")
            }
            #expect(abs(row.generationSkipRatio - target) <= 0.25 || row.method == "top-1",
                    "\(what): skip while generating \(row.generationSkipRatio), tolerance ±0.25")
            // Skipped pairs are never computed: rows fall by exactly the pairs left out.
            #expect(m.computedRows < none.measurement.computedRows && m.kl > 0,
                    "\(what): \(m.computedRows) rows computed, unskipped \(none.measurement.computedRows); KL \(m.kl)")
            #expect(Double(m.computedRows) == (Double(none.measurement.computedRows) * (1 - m.skipRatio)).rounded(),
                    "\(what): \(m.computedRows) rows at skip \(m.skipRatio) of \(none.measurement.computedRows)")
            #expect(row.speed.computedRows < row.unskippedSpeed.computedRows,
                    "\(what): generating computed \(row.speed.computedRows) rows, unskipped \(row.unskippedSpeed.computedRows)")
            for (name, v) in [("MoE", row.speed.moeSeconds), ("prefill", row.speed.prefillSeconds),
                              ("decode", row.speed.decodeSecondsPerToken), ("routed", row.speed.routedSeconds),
                              ("unskipped MoE", row.unskippedSpeed.moeSeconds)] {
                #expect(v > 0 && v.isFinite, "\(what): \(name) time \(v)")
            }
        }
        let modes = result.rows.filter { $0.method == "modes" }.map(\.measurement.computedRows)
        #expect(modes[1] < modes[0], "MoDES computed \(modes) rows at targets \(targets): more skipping should compute fewer")
        #expect(result.alpha.count == 2 && result.grid.textCount <= 8, "α \(result.alpha), grid \(result.grid.textCount)")

        let after = cal.model.moeLayers.map { "\(String(describing: $0.skip)) top-k \(String(describing: $0.topKOverride))" }
        #expect(cal.model.moeLayers.map(\.skip) == [nil, before] && cal.model.moeLayers.allSatisfy { $0.topKOverride == nil },
                "after the comparison the layers hold \(after), before they held [nil, \(before)]")
    }

    /// Calibrated on the examples seen in training, measured on the unseen ones: every
    /// teacher-forced number belongs to the evaluation examples.
    @Test func calibratingOnOtherExamplesMeasuresOnTheEvaluationOnes() throws {
        let model = Tiny.model()
        let seen = Array(Tiny.calibrationExamples.prefix(4)), unseen = Array(Tiny.calibrationExamples.suffix(4))
        let cal = try Calibration(model: model, examples: seen, batchSize: 2)
        let eval = try Calibration(model: model, examples: unseen, batchSize: 2)
        let options = SkipComparison.Options(targets: [0.5], grid: GridOptions(textPoints: 6, mediaPoints: 6), rounds: 1,
                                             generation: GenerationOptions(maxTokens: 4), batchSize: 4)
        let result = try SkipComparison.run(cal, evaluation: eval, prompts: unseen, options: options) { _ in nil }
        #expect(result.rows[0].measurement == eval.unskipped, "unskipped row \(result.rows[0].measurement), evaluation's \(eval.unskipped)")
        let modes = result.rows[1], tau = try #require(modes.tau)
        let direct = eval.measure(SkipSetup(name: "modes", rules: result.alpha.map { SkipRule(alpha: $0, tau: tau) }))
        #expect(modes.measurement == direct, "MoDES row \(modes.measurement), measured on the evaluation examples \(direct)")
        #expect(result.alpha == cal.importance(), "α \(result.alpha) is not the calibration examples' \(cal.importance())")
        let gate = try cal.gateThresholdSetup(targetSkip: 0.5)
        #expect(result.rows[3].measurement == eval.measure(gate), "the gate threshold is not the calibration examples' quantile")

        let other = try Calibration(model: Tiny.model(), examples: unseen, batchSize: 2)
        #expect(throws: CalibrationError.self) {
            try SkipComparison.run(cal, evaluation: other, prompts: unseen, options: options) { _ in nil }
        }
    }

    @Test func badComparisonOptionsAreRefusedWithOneLine() throws {
        let cal = try Calibration(model: Tiny.model(), examples: Tiny.calibrationExamples, batchSize: 3)
        let bad: [(SkipComparison.Options, String)] = [
            (SkipComparison.Options(targets: []), "at least one target"),
            (SkipComparison.Options(targets: [1.5]), "outside [0, 1]"),
            (SkipComparison.Options(rounds: 0), "rounds"),
            (SkipComparison.Options(batchSize: 0), "batch size"),
        ]
        for (options, expected) in bad {
            do {
                _ = try SkipComparison.run(cal, prompts: Tiny.calibrationExamples, options: options) { _ in nil }
                Issue.record("options \(options) were accepted")
            } catch let e as CalibrationError {
                #expect(e.description.contains(expected) && !e.description.contains("\n"), "error: \(e.description)")
            }
        }
    }
}

extension SkipComparisonTests {
    /// Load that changes between rounds should cancel within each pair: the ratios 2, 4 and 1
    /// give 2, where the ratio of the two medians (12 over 10) would give 1.2.
    @Test func speedupIsTheMedianOfPairRatiosNotARatioOfMedians() {
        func run(_ seconds: Double) -> GenerationBench.Run {
            var r = GenerationBench.Run()
            r.moeSeconds = seconds; r.moePrefillSeconds = seconds; r.moeDecodeSeconds = seconds
            r.routedSeconds = seconds; r.prefillSeconds = seconds; r.decodeSeconds = seconds; r.fedTokens = 1
            return r
        }
        let s = GenerationBench.pairedSpeedup(unskipped: [10, 40, 12].map(run), skipped: [5, 10, 12].map(run))
        #expect(s == SkipComparison.Speedup(moe: 2, moePrefill: 2, moeDecode: 2, routed: 2, prefill: 2, decode: 2),
                "paired speed-ups \(s), expected 2 for every time")
    }
}
