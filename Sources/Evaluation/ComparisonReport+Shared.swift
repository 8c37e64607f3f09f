import Foundation
import Model

extension ComparisonReport {
    /// Section 2: one shared expert (tiny) against none with one more routed expert per group
    /// (tiny-noshared), equal active compute (DeepSeekMoE).
    var sharedSection: String {
        var s = "## 2. Shared experts on vs off (DeepSeekMoE)\n\n"
        s += "DeepSeekMoE's claim: shared experts that every token passes through hold the common knowledge, so the "
        s += "routed experts can specialise; at equal compute a model with them does better than one that spends the "
        s += "same compute on more routed experts.\n\n"
        let (found, missing) = need([.grouped, .noShared])
        if let missing { return s + missing }
        s += commandBlock(trainAndEvaluate(found))
        s += "\nAt the end (balance loss: the mean of the logged `balance_loss` over the last tenth of the steps):\n\n"
        s += runTable(found, leading: [
            ("shared experts", { "\($0.config.moe?.shared ?? 0)" }),
            ("routed top-k per group", { $0.config.moe.map { Set($0.groups.map(\.topK)).sorted().map(String.init).joined(separator: "/") } ?? ReportWording.none }),
            ("training \(flopUnit.name)", trainingFLOPs),
        ], trailing: [
            ("balance loss", { $0.lateMean("balance_loss").map { ReportWording.fixed($0, 4) } ?? ReportWording.none }),
        ])
        return s + "\n" + sharedFinding(on: found[0], off: found[1]) + "\n"
    }

    func sharedFinding(on: ReportRun, off: ReportRun) -> String {
        let a = valLoss(on), b = valLoss(off)
        let pair = "(\(ReportWording.fixed(a, 4)) with, \(ReportWording.fixed(b, 4)) without)"
        var s: String
        switch ReportWording.outcome(a, vs: b, lowerIsBetter: true) {
        case .better:
            s = "With the shared expert the validation loss is lower than without it at equal active compute \(pair), as DeepSeekMoE reports."
        case .worse:
            s = "The small scale does not show DeepSeekMoE's effect: without the shared expert (one more routed expert per token instead) the validation loss is lower \(pair)."
        case .level:
            s = "The small scale does not show DeepSeekMoE's effect: with and without the shared expert the validation loss is level \(pair)."
        }
        if let x = on.evaluation.metric("cider_d", in: "caption"), let y = off.evaluation.metric("cider_d", in: "caption") {
            s += " Test CIDEr-D is \(ReportWording.fixed(x, 3)) with and \(ReportWording.fixed(y, 3)) without."
        }
        return s
    }
}
