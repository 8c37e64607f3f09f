import Foundation
import Inference
import Inputs
import Kernels
import Model
import Testing
import TestSupport

@Suite struct CalibrationTests {
    typealias Tiny = SkippingTinyModel

    /// Bypassing a layer changes the answers, except for media tokens in the last decoder layer:
    /// after it no attention carries their outputs to the answer positions.
    @Test func importanceSumsToOnePerModalityAndIsZeroWhereTheAnswerCannotSeeTheLayer() throws {
        let cal = try Calibration(model: Tiny.model(), examples: Tiny.calibrationExamples, batchSize: 3)
        let divergence = cal.layerDivergence(), alpha = cal.importance()
        #expect(cal.modalities == Set(Modality.allCases), "modalities in the data: \(cal.modalities)")
        #expect(alpha.count == 2 && alpha.allSatisfy { $0.count == 3 }, "α shape \(alpha.map(\.count))")
        for m in Modality.allCases {
            let column = divergence.map { $0[m.rawValue] }
            let reaching = m == .text ? column : [column[0]]
            #expect(reaching.allSatisfy { $0 > 1e-5 }, "\(m): KL per layer \(column), bypassing should change the answers")
            if m != .text { #expect(column[1] == 0, "\(m): bypass in the last layer changed the answers by KL \(column[1])") }
            let total = column.reduce(0, +)
            let sum = alpha.reduce(0) { $0 + $1[m.rawValue] }
            #expect(abs(sum - 1) <= 1e-6, "\(m): α sums to \(sum) over layers")
            for l in alpha.indices {
                #expect(abs(Double(alpha[l][m.rawValue]) - column[l] / total) <= 1e-6,
                        "\(m), layer \(l): α \(alpha[l][m.rawValue]), L/ΣL \(column[l] / total)")
            }
        }
        let convenience = try Calibration.importance(model: Tiny.model(), examples: Tiny.calibrationExamples, batchSize: 3)
        #expect(convenience == alpha, "Calibration.importance(model:examples:) \(convenience), instance \(alpha)")
    }

    /// The text group serves text alone, so bypassing text at a layer equals zeroing that group's
    /// output projections; the KL is recomputed here one example at a time in Double.
    @Test func textBypassDivergenceEqualsZeroingTheTextExperts() throws {
        let model = Tiny.model()
        let cal = try Calibration(model: model, examples: Tiny.calibrationExamples, batchSize: 3)
        let divergence = cal.layerDivergence()
        for l in 0..<2 {
            let zeroed = Tiny.model()
            for expert in zeroed.moeLayers[l].groups.first(where: { $0.name == "text" })!.experts { expert.w2.value.zero() }
            var kl = 0.0, tokens = 0
            for ex in Tiny.calibrationExamples {
                let batch = Batch([ex], config: Tiny.config)
                let rows = batch.targets.indices.filter { batch.targets[$0] != ignoreIndex }
                kl += klInDouble(model.logits(model.forward(batch), rows: rows), zeroed.logits(zeroed.forward(batch), rows: rows))
                tokens += rows.count
            }
            #expect(tokens == cal.answerTokens, "answer tokens: \(tokens) here, \(cal.answerTokens) in calibration")
            let r = closeness([Float(divergence[l][Modality.text.rawValue])], [Float(kl / Double(tokens))], rtol: 2e-3, atol: 1e-7,
                              "layer \(l) text bypass KL")
            #expect(r.ok, "\(r.message)")
        }
    }

    @Test func unroutedModalityGetsZeroAndAbsentModalityGetsUniformImportance() throws {
        var config = Tiny.config
        config.moe!.groups = [ExpertGroupConfig(name: "text", modalities: [.text], experts: 3, topK: 2),
                              ExpertGroupConfig(name: "media", modalities: [.image], experts: 4, topK: 2)]
        let unrouted = try Calibration(model: MultimodalMoE(config), examples: tinyExamples(config, seed: 5), batchSize: 2)
        let (divergence, alpha) = (unrouted.layerDivergence(), unrouted.importance())
        #expect(divergence.map { $0[2] } == [0, 0], "audio has no routed experts, yet KL per layer \(divergence.map { $0[2] })")
        #expect(alpha.map { $0[2] } == [0, 0], "audio has no routed experts, yet α \(alpha.map { $0[2] })")
        for m in [Modality.text, .image] {
            let sum = alpha.reduce(0) { $0 + $1[m.rawValue] }
            #expect(abs(sum - 1) <= 1e-6, "\(m): α sums to \(sum)")
        }

        let noAudio = Tiny.calibrationExamples.filter { $0.audio == nil }
        let absent = try Calibration(model: Tiny.model(), examples: noAudio, batchSize: 3)
        #expect(absent.modalities == [.text, .image], "modalities \(absent.modalities)")
        #expect(absent.layerDivergence().map { $0[2] } == [0, 0], "audio is absent, yet it has a KL")
        #expect(absent.importance().map { $0[2] } == [0.5, 0.5], "absent audio: α \(absent.importance().map { $0[2] }), expected uniform")
    }

    /// Skipped pairs never reach an expert GEMM: the rows computed fall by exactly the skipped count.
    @Test func skippedPairsAreNeverComputed() throws {
        let model = Tiny.model()
        let cal = try Calibration(model: model, examples: Tiny.calibrationExamples, batchSize: 3)
        // Unskipped, every layer computes k = 2 rows per token in each group serving it.
        let tokens = Tiny.calibrationExamples.map { Batch([$0], config: Tiny.config).count }.reduce(0, +)
        #expect(cal.unskipped.computedRows == 2 * 2 * tokens, "unskipped rows \(cal.unskipped.computedRows), expected \(2 * 2 * tokens)")

        let alpha = cal.importance()
        let grid = ThresholdGrid(scores: cal.scores(alpha: alpha), textPoints: 5, mediaPoints: 5, splitMedia: false)
        let setup = SkipSetup(name: "mid", rules: alpha.map { SkipRule(alpha: $0, tau: grid.tau(text: 2, media: 2)) })
        let m = cal.measure(setup)
        #expect(m.skippedPairs > 0, "the mid-grid thresholds skipped nothing")
        #expect(m.computedRows == cal.unskipped.computedRows - m.skippedPairs,
                "computed \(m.computedRows) rows, unskipped \(cal.unskipped.computedRows) − skipped \(m.skippedPairs)")
        #expect(m.skipRatio == Double(m.skippedPairs) / Double(cal.unskipped.computedRows),
                "skip ratio \(m.skipRatio), skipped/selected \(Double(m.skippedPairs) / Double(cal.unskipped.computedRows))")
        #expect(m.kl > 0, "skipping \(m.skippedPairs) pairs left the answers' distributions unchanged")

        // Per group, straight from the dispatch the GEMMs ran on.
        setup.install(into: model)
        _ = model.forward(Batch(Tiny.calibrationExamples, config: Tiny.config))
        for (l, layer) in model.moeLayers.enumerated() {
            for g in layer.groups {
                let r = g.last!, skipped = r.skipped.filter { $0 }.count
                #expect(r.computedRows == r.selected.count - skipped,
                        "layer \(l) group \(g.name): \(r.computedRows) rows computed, \(r.selected.count) selected − \(skipped) skipped")
            }
        }
        #expect(model.moeLayers.reduce(0) { $0 + $1.skipCount.skipped.reduce(0, +) } > 0, "one batch of all examples skipped nothing")
    }

    @Test func baselinesAreMeasuredLikeCalibratedThresholds() throws {
        let cal = try Calibration(model: Tiny.model(), examples: Tiny.calibrationExamples, batchSize: 3)
        let topOne = cal.measure(cal.topOneSetup())
        // Both groups route top-2, so top-1 computes exactly half the rows.
        #expect(topOne.skipRatio == 0.5 && topOne.skippedPairs == 0, "top-1: skip ratio \(topOne.skipRatio), skipped \(topOne.skippedPairs)")
        #expect(topOne.kl > 0, "top-1 left the answers unchanged")

        let target = 0.4
        let gateSetup = try cal.gateThresholdSetup(targetSkip: target)
        let tau = gateSetup.rules[0]!.tau[0]
        let pooled = cal.gates.flatMap { $0.flatMap { $0 } }
        let predicted = Double(pooled.filter { $0 < tau }.count) / Double(pooled.count)
        #expect(predicted >= target && predicted < target + 2 / Double(pooled.count) + 1e-9,
                "gate threshold \(tau) leaves out \(predicted) of the unskipped gates, target \(target)")
        #expect(gateSetup.rules.allSatisfy { $0 == SkipRule(alpha: [1, 1, 1], tau: [tau, tau, tau]) }, "gate rules \(gateSetup.rules)")
        let measured = cal.measure(gateSetup)
        #expect(abs(measured.skipRatio - target) < 0.1, "gate threshold measured skip \(measured.skipRatio), target \(target)")

        let (modes, setups) = try cal.comparison(targetSkip: target, grid: GridOptions(textPoints: 6, mediaPoints: 6))
        #expect(setups.map(\.name) == ["modes", "top-1", "gate-threshold"], "methods \(setups.map(\.name))")
        let modesMeasured = cal.measure(setups[0])
        #expect(modesMeasured.skipRatio == modes.chosen.skipRatio && modesMeasured.skipRatio >= target,
                "MoDES setup measures \(modesMeasured.skipRatio), calibration chose \(modes.chosen.skipRatio), target \(target)")
    }

    @Test func badCalibrationInputIsRefusedWithOneLine() throws {
        let model = Tiny.model()
        #expect(throws: CalibrationError.self) { try Calibration(model: model, examples: []) }
        var wrong = Tiny.calibrationExamples[0]
        wrong.image = Tensor(zeros: [3, 4, 4])
        do {
            _ = try Calibration(model: model, examples: [wrong])
            Issue.record("an image of the wrong size was accepted")
        } catch {
            #expect("\(error)".contains("calibration example 0 image"), "error: \(error)")
        }
        let cal = try Calibration(model: model, examples: Tiny.calibrationExamples)
        for goal in [SkipGoal.skipAtLeast(1.5), .keepAtLeast(0)] {
            do {
                _ = try cal.calibrate(goal)
                Issue.record("\(goal) was accepted")
            } catch let e as CalibrationError {
                #expect(!e.description.contains("\n"), "error spans lines: \(e.description)")
            }
        }
    }

    /// Σ over rows of KL(softmax(p) ‖ softmax(q)) from logits, in Double.
    private func klInDouble(_ p: Tensor, _ q: Tensor) -> Double {
        var total = 0.0
        for r in 0..<p.rows {
            let a = (0..<p.cols).map { Double(p.data[r * p.cols + $0]) }, b = (0..<q.cols).map { Double(q.data[r * q.cols + $0]) }
            let la = logSumExp(a), lb = logSumExp(b)
            for v in a.indices { total += Foundation.exp(a[v] - la) * ((a[v] - la) - (b[v] - lb)) }
        }
        return total
    }

    private func logSumExp(_ x: [Double]) -> Double {
        let m = x.max()!
        return m + Foundation.log(x.reduce(0) { $0 + Foundation.exp($1 - m) })
    }
}
