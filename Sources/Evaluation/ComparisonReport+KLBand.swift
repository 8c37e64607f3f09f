import Foundation
import Model

extension ComparisonReport {
    /// Section 3: the modality KL band on (moe-mixed) and off (moe-mixed-nokl) in one mixed
    /// group: language retention and routing separation (SMAR).
    var klSection: String {
        var s = "## 3. The modality KL band on vs off (SMAR)\n\n"
        s += "SMAR's claim: in a group of experts shared by all modalities, keeping the modalities' routing distributions "
        s += "a band apart (not disjoint) retains the model's text-only ability (language retention, measured as text "
        s += "perplexity) better than leaving routing unregularised.\n\n"
        let (found, missing) = need([.mixed, .noKL])
        if let missing { return s + missing }
        let (on, off) = (found[0], found[1])
        s += commandBlock(trainAndEvaluate(found) + found.map(commands.inspect))
        s += "\nAt the end (KL loss: the mean of the logged `kl_loss` over the last tenth of the steps):\n\n"
        s += runTable(found, leading: [
            ("KL λ", { "\($0.config.moe?.klLambda ?? 0)" }),
            ("band", { r in r.config.moe.flatMap { $0.klLambda > 0 ? "[\($0.klBand[0]), \($0.klBand[1])]" : nil } ?? "off" }),
            ("training \(flopUnit.name)", trainingFLOPs),
        ], trailing: [
            ("KL loss", { $0.lateMean("kl_loss").map { ReportWording.fixed($0, 4) } ?? ReportWording.none }),
        ])
        let pairs = separationRows(on: on, off: off)
        if pairs.isEmpty {
            s += "\nRouting separation not measured: no routing.json with routing per modality pair in "
                + "`\(on.path)` or `\(off.path)` (the inspect commands above write it).\n"
        } else {
            s += "\nRouting separation per layer (`routing.json` from the inspect commands above\(tokenNote(on))):\n\n"
            func cell(_ v: Double?, _ decimals: Int) -> String { v.map { ReportWording.fixed($0, decimals) } ?? ReportWording.none }
            s += TextTable(
                headers: ["layer", "group", "pair", "symmetric KL, band on", "band off", "top-k agreement, band on", "band off"],
                rows: pairs.map { p in
                    ["\(p.layer)", p.group, "\(p.a)–\(p.b)", cell(p.on?.symmetricKL, 4), cell(p.off?.symmetricKL, 4),
                     cell(p.on?.topKAgreement, 2), cell(p.off?.topKAgreement, 2)]
                }, rightAligned: [0, 3, 4, 5, 6]).markdown
        }
        return s + "\n" + klFinding(on: on, off: off) + "\n"
    }

    /// One row per (layer, group, modality pair) in either run's routing, with each run's numbers.
    struct SeparationRow {
        var layer: Int, group: String, a: String, b: String
        var on: PairRouting?, off: PairRouting?
    }

    func separationRows(on: ReportRun, off: ReportRun) -> [SeparationRow] {
        var rows: [SeparationRow] = []
        func index(_ r: RoutingReport?, _ put: (Int, String, PairRouting) -> Void) {
            for layer in r?.layers ?? [] { for g in layer.groups { for p in g.pairs { put(layer.layer, g.group, p) } } }
        }
        index(on.routing) { layer, group, p in rows.append(SeparationRow(layer: layer, group: group, a: p.a, b: p.b, on: p, off: nil)) }
        index(off.routing) { layer, group, p in
            if let i = rows.firstIndex(where: { $0.layer == layer && $0.group == group && $0.a == p.a && $0.b == p.b }) {
                rows[i].off = p
            } else {
                rows.append(SeparationRow(layer: layer, group: group, a: p.a, b: p.b, on: nil, off: p))
            }
        }
        return rows.sorted { ($0.layer, $0.group, $0.a, $0.b) < ($1.layer, $1.group, $1.a, $1.b) }
    }

    private func tokenNote(_ run: ReportRun) -> String {
        guard let tokens = run.routing?.tokens, !tokens.isEmpty else { return "" }
        return "; band-on tokens: " + tokens.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    /// Language retention (text perplexity) with the band against without, then how far apart
    /// the band keeps the modalities' routing (mean symmetric KL over the measured layers and pairs).
    func klFinding(on: ReportRun, off: ReportRun) -> String {
        var s: String
        if let a = on.evaluation.metric("perplexity", in: "text"), let b = off.evaluation.metric("perplexity", in: "text") {
            let pair = "(\(ReportWording.fixed(a, 2)) with the band, \(ReportWording.fixed(b, 2)) without)"
            switch ReportWording.outcome(a, vs: b, lowerIsBetter: true) {
            case .better: s = "With the KL band the text perplexity is lower \(pair), the language retention SMAR reports."
            case .worse: s = "The small scale does not show SMAR's language-retention effect: text perplexity is higher with the band \(pair)."
            case .level: s = "The small scale does not show SMAR's language-retention effect: text perplexity is level \(pair)."
            }
        } else {
            s = "Language retention not measured: an evaluation.json has no `text` perplexity."
        }
        let rows = separationRows(on: on, off: off).filter { $0.on != nil && $0.off != nil }
        guard !rows.isEmpty, let band = on.config.moe?.klBand else { return s }
        let meanOn = rows.reduce(0) { $0 + $1.on!.symmetricKL } / Double(rows.count)
        let meanOff = rows.reduce(0) { $0 + $1.off!.symmetricKL } / Double(rows.count)
        let pairs = Set(rows.map { "\($0.a)–\($0.b)" }).sorted()
        let apart: String = switch ReportWording.outcome(meanOn, vs: meanOff, lowerIsBetter: false) {
        case .better: "further apart with the band than without"
        case .worse: "closer together with the band than without"
        case .level: "about as far apart with the band as without"
        }
        let place = meanOn < Double(band[0]) ? "below" : meanOn > Double(band[1]) ? "above" : "inside"
        s += " Routing (\(pairs.joined(separator: ", "))) is \(apart): mean symmetric KL over \(rows.count) layer-pair\(rows.count == 1 ? "" : "s") "
            + "\(ReportWording.fixed(meanOn, 4)) vs \(ReportWording.fixed(meanOff, 4)), \(place) the band [\(band[0]), \(band[1])]."
        return s
    }
}
