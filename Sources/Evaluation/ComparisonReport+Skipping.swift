import Foundation

extension ComparisonReport {
    /// Section 4: `bench skip` on the grouped run (or the checkpoint given): MoDES against top-1 and one raw-gate threshold
    /// across target skip ratios, with real speed-ups.
    var skipSection: String {
        var s = "## 4. Expert skipping: MoDES vs top-1 vs one gate threshold\n\n"
        s += "MoDES's claim: at inference, skipping a routed expert when its gate times its layer's importance α "
        s += "(measured per modality) is under a text or a media threshold keeps more quality at a given skip ratio "
        s += "than cutting every token to its top-1 expert or thresholding the raw gate, and the skipped experts "
        s += "are real time saved.\n\n"
        let checkpoint = commands.skipCheckpoint
        guard let rows = skip, !rows.isEmpty else {
            return s + "Not measured: no `bench skip --json` output was given (`make report` writes it from `\(checkpoint)`).\n"
        }
        s += commandBlock([commands.benchSkip(rows, checkpoint: checkpoint)])
        s += "\nCIDEr-D of greedy captions on the bench's samples; speed-ups over the unskipped model, medians of the ratios of runs paired side by side:\n\n"
        let shown = skipRowsShown(rows)
        s += TextTable(
            headers: ["target", "method", "skip (teacher-forced)", "skip (generating)", "text skip (generating)", "CIDEr-D", "vs unskipped",
                      "MoE layers", "prefill", "decode / token"],
            rows: shown.map { r in
                [r.target.map { ReportWording.fixed($0, 2) } ?? ReportWording.none, methodName(r.method),
                 ReportWording.fixed(r.skipRatio, 3), ReportWording.fixed(r.generationSkipRatio, 3),
                 r.textSkipRatio.map { ReportWording.fixed($0, 3) } ?? ReportWording.none,
                 r.ciderD.map { ReportWording.fixed($0, 3) } ?? ReportWording.none,
                 r.ciderDRelative.map(ReportWording.percent) ?? ReportWording.none,
                 ReportWording.times(r.moeSpeedup), ReportWording.times(r.prefillSpeedup), ReportWording.times(r.decodeSpeedup)]
            }, rightAligned: [0, 2, 3, 4, 5, 6, 7, 8, 9]).markdown
        return s + "\n" + skipFinding(rows) + "\n"
    }

    func methodName(_ method: String) -> String {
        switch method {
        case "none": "unskipped"
        case "modes": "MoDES"
        case "gate-threshold": "one gate threshold"
        default: method
        }
    }

    /// The unskipped row, then per target MoDES and the gate threshold; top-1 (whose skip ratio
    /// the architecture fixes, the same at every target) once, beside the target nearest its skip.
    func skipRowsShown(_ rows: [SkipBenchRow]) -> [SkipBenchRow] {
        let targets = orderedTargets(rows)
        let topOne = rows.first { $0.method == "top-1" }
        let topOneTarget = topOne.flatMap { t in targets.min { abs($0 - t.generationSkipRatio) < abs($1 - t.generationSkipRatio) } }
        var shown = rows.filter { $0.method == "none" }
        for target in targets {
            shown += rows.filter { $0.target == target && $0.method == "modes" }
            if target == topOneTarget, var t = topOne { t.target = target; shown.append(t) }
            shown += rows.filter { $0.target == target && $0.method == "gate-threshold" }
        }
        return shown
    }

    func orderedTargets(_ rows: [SkipBenchRow]) -> [Double] {
        var targets: [Double] = []
        for t in rows.compactMap(\.target) where !targets.contains(t) { targets.append(t) }
        return targets
    }

    /// MoDES against the gate threshold at each target on CIDEr-D (and top-1 at its target), then
    /// the speed-ups MoDES reached.
    func skipFinding(_ rows: [SkipBenchRow]) -> String {
        guard let base = rows.first(where: { $0.method == "none" })?.ciderD, base > 0 else {
            return "No caption quality to compare: the unskipped model's CIDEr-D on the bench's samples is "
                + "\(rows.first { $0.method == "none" }?.ciderD.map { ReportWording.fixed($0, 3) } ?? "missing")." + speedFinding(rows)
        }
        let shown = skipRowsShown(rows)
        var outcomes: [ReportWording.Outcome] = [], details: [String] = []
        for target in orderedTargets(rows) {
            let at = shown.filter { $0.target == target }
            guard let modes = at.first(where: { $0.method == "modes" }), let q = modes.ciderD else { continue }
            var versus: [String] = []
            for other in at where other.method != "modes" {
                guard let o = other.ciderD else { continue }
                outcomes.append(ReportWording.outcome(q, vs: o, lowerIsBetter: false))
                versus.append("\(percentOfUnskipped(other)) for \(methodName(other.method))")
            }
            guard !versus.isEmpty else { continue }
            details.append("at \(ReportWording.fixed(target, 2)) MoDES keeps \(percentOfUnskipped(modes)) of the unskipped CIDEr-D against "
                           + ReportWording.list(versus))
        }
        guard !outcomes.isEmpty else { return "No CIDEr-D to compare: the bench's samples had no captions to score." }
        var s: String
        if outcomes.allSatisfy({ $0 != .worse }) && outcomes.contains(.better) {
            s = "MoDES keeps at least as much caption quality as the baselines at every target, and more at some, as MoDES reports ("
        } else if outcomes.allSatisfy({ $0 != .better }) {
            s = "The small scale does not show MoDES's effect: it never keeps more caption quality than a baseline "
                + "by more than the \(Int((ReportWording.levelTolerance * 100).rounded()))% this report calls level ("
        } else {
            s = "MoDES keeps more caption quality than a baseline at some targets and less at others ("
        }
        return s + details.joined(separator: "; ") + ")." + speedFinding(rows)
    }

    /// Whether MoDES's skipping saved real time in the MoE layers at every target, some, or none.
    func speedFinding(_ rows: [SkipBenchRow]) -> String {
        let speedups = rows.filter { $0.method == "modes" }.map(\.moeSpeedup)
        guard let low = speedups.min(), let high = speedups.max() else { return "" }
        let range = low == high ? ReportWording.times(low) : "\(ReportWording.times(low))–\(ReportWording.times(high))"
        if low > 1 { return " MoDES's skipped experts are real time saved: its MoE layers run \(range) as fast as unskipped." }
        if high <= 1 { return " MoDES's skipping saves no measurable time here: its MoE layers run \(range) as fast as unskipped." }
        return " MoDES's MoE layers run \(range) as fast as unskipped: the saving does not show at every target."
    }

    /// CIDEr-D as a share of the unskipped model's (which is positive here).
    private func percentOfUnskipped(_ r: SkipBenchRow) -> String {
        ReportWording.percent(r.ciderDRelative ?? 0)
    }
}
