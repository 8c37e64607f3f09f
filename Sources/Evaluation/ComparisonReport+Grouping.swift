import Foundation
import Inputs
import Model

extension ComparisonReport {
    /// Section 1: modality groups (tiny) against one mixed group (moe-mixed) and dense, over
    /// training compute (MoMa).
    var groupingSection: String {
        var s = "## 1. Modality-grouped experts vs one mixed group vs dense (MoMa)\n\n"
        s += "MoMa's claim: routed experts split into modality groups (text experts for text tokens, media experts "
        s += "for image and audio tokens) reach a given loss with less training compute than the same experts in one "
        s += "mixed group, and than a dense model of the same active compute.\n\n"
        let (found, missing) = need([.grouped, .mixed, .dense])
        if let missing { return s + missing }
        s += commandBlock(found.map { "moe-mm inspect --config configs/\($0.name).yaml" } + trainAndEvaluate(found))
        s += "\nDuring training (each run's `metrics.jsonl` at its evaluation steps; training \(flopUnit.name) counted as below):\n\n"
        s += curveTable(found)
        s += "\nAt the end (`evaluate`; active weights and forward MFLOP per text token at context 64 from `inspect --config`):\n\n"
        s += runTable(found, leading: [
            ("active weights / text token", { ReportWording.fixed(Double(Accounting($0.config).active(.text)) / 1e6, 3) + "M" }),
            ("MFLOP / text token", { ReportWording.fixed(Accounting($0.config).flopsPerToken(.text, context: 64) / 1e6, 2) }),
            ("training \(flopUnit.name)", trainingFLOPs),
        ])
        return s + "\n" + groupingFinding(found[0], found[1], found[2]) + "\n"
    }

    /// Rows: every evaluation step any run logged; per run its cumulative training FLOPs, val
    /// loss and val CIDEr-D there.
    func curveTable(_ runs: [ReportRun]) -> String {
        let steps = Set(runs.flatMap { $0.metrics.validation.map(\.step) }).sorted()
        var headers = ["step"]
        for r in runs { headers += ["\(r.name) \(flopUnit.name)", "\(r.name) val loss", "\(r.name) val CIDEr-D"] }
        let rows = steps.map { step -> [String] in
            var row = ["\(step)"]
            for r in runs {
                let point = r.metrics.validation.first { $0.step == step }
                row.append(r.compute?.cumulative[step].map { ReportWording.fixed($0 / flopUnit.scale, 3) } ?? ReportWording.none)
                row.append(point?.values["val_loss"].map { ReportWording.fixed($0, 4) } ?? ReportWording.none)
                row.append(point?.values["val_cider_d"].map { ReportWording.fixed($0, 4) } ?? ReportWording.none)
            }
            return row
        }
        return TextTable(headers: headers, rows: rows, rightAligned: Set(headers.indices)).markdown
    }

    /// Grouped against mixed on the final validation loss (with the compute each used, and when
    /// grouped first reached mixed's final loss), then both against dense, then test captions.
    func groupingFinding(_ grouped: ReportRun, _ mixed: ReportRun, _ dense: ReportRun) -> String {
        let g = valLoss(grouped), m = valLoss(mixed), d = valLoss(dense)
        let pair = "(\(ReportWording.fixed(g, 4)) vs \(ReportWording.fixed(m, 4))"
        var s: String
        switch ReportWording.outcome(g, vs: m, lowerIsBetter: true) {
        case .better:
            s = "Grouped experts (\(grouped.name)) end with a lower validation loss than the mixed group \(pair)"
            if let gc = grouped.compute, let mc = mixed.compute {
                s += ", at \(ReportWording.times(gc.total / mc.total)) its training FLOPs"
                // The first evaluation at which grouped was already at or below mixed's final loss.
                if let reached = grouped.metrics.validation.first(where: { ($0.values["val_loss"] ?? .infinity) <= m }),
                   reached.step < grouped.steps, let flops = gc.cumulative[reached.step] {
                    s += "; grouped was at or below that loss by step \(reached.step), at \(ReportWording.times(flops / mc.total)) of the mixed run's FLOPs"
                }
            }
            s += "), as MoMa reports."
        case .worse:
            s = "The small scale does not show MoMa's effect: grouped experts (\(grouped.name)) end with a higher validation loss than the mixed group \(pair))."
        case .level:
            s = "The small scale does not show MoMa's effect: grouped experts (\(grouped.name)) and the mixed group end level on validation loss \(pair))."
        }
        // Dense against each MoE variant, in the reader's direction (dense's loss is lower / higher).
        let relations = [(grouped.name, g), (mixed.name, m)].map { name, loss -> (String, ReportWording.Outcome) in
            (name, ReportWording.outcome(d, vs: loss, lowerIsBetter: true))
        }
        func phrase(_ o: ReportWording.Outcome) -> String { o == .better ? "lower than" : o == .worse ? "higher than" : "level with" }
        s += " Dense of equal active compute ends at \(ReportWording.fixed(d, 4)): "
        if relations[0].1 == relations[1].1 {
            s += "\(phrase(relations[0].1)) both MoE variants"
        } else {
            s += relations.map { "\(phrase($0.1)) \($0.0)" }.joined(separator: ", ")
        }
        if relations.allSatisfy({ $0.1 == .worse }) { s += ", so experts help at equal active compute" }
        if relations.allSatisfy({ $0.1 == .better }) { s += ", so at this scale the extra experts do not pay for themselves" }
        s += "."
        let cider = [grouped, mixed, dense].map { r in r.evaluation.metric("cider_d", in: "caption").map { (r.name, $0) } }
        if cider.allSatisfy({ $0 != nil }) {
            s += " Test CIDEr-D: " + cider.map { "\($0!.0) \(ReportWording.fixed($0!.1, 3))" }.joined(separator: ", ") + "."
        }
        return s
    }
}
