import Foundation

/// The commands that made the comparison report's inputs, as the report prints them above each
/// table. What the run folders record (steps, the benchmarks evaluated and evaluate's settings,
/// where routing.json went, the skip targets and rounds) comes from the files; what they do not
/// record (the manifests inspect and bench skip read) is given here, as `make report` passes it.
public struct ReportCommands: Sendable {
    /// The folder holding one run folder per recipe name.
    public var runs: String
    public var routingManifest: String
    public var routingLimit: Int?
    /// `bench skip --json`'s output, when the report has one.
    public var skipFile: String?
    public var skipManifest: String
    public var skipCalibrationManifest: String?
    public var skipSamples: Int
    /// The checkpoint bench skip measured: the given one, else the grouped (tiny) run.
    public var skipCheckpoint: String { skipCheckpointGiven ?? path(ComparisonReport.Variant.grouped.rawValue) }
    var skipCheckpointGiven: String?
    /// Where the report itself goes.
    public var out: String

    public init(runs: String = "runs/report", routingManifest: String = "data/scenes/val.jsonl", routingLimit: Int? = 200,
                skipFile: String? = nil, skipManifest: String = "data/scenes/test.jsonl",
                skipCalibrationManifest: String? = "data/scenes/val.jsonl", skipSamples: Int = 400, skipCheckpoint: String? = nil,
                out: String = "docs/REPORT.md") {
        self.runs = runs; self.routingManifest = routingManifest; self.routingLimit = routingLimit; self.skipFile = skipFile
        self.skipManifest = skipManifest; self.skipCalibrationManifest = skipCalibrationManifest
        self.skipSamples = skipSamples; self.skipCheckpointGiven = skipCheckpoint; self.out = out
    }

    /// A run folder's path by recipe name.
    public func path(_ name: String) -> String { (runs as NSString).appendingPathComponent(name) }

    func train(_ run: ReportRun) -> String { Self.train(run, steps: run.steps) }

    /// The command that trains (or with `--resume`, finishes) a report run of `steps` steps.
    public static func train(_ run: ReportRun, steps: Int) -> String {
        "moe-mm train --config configs/\(run.name).yaml --steps \(steps) --out \(run.path)"
    }

    /// evaluate's defaults (batch 16, 64 tokens, greedy) are left out, as the command was typed.
    func evaluate(_ run: ReportRun) -> String {
        let s = run.evaluation.settings
        var c = "moe-mm evaluate --checkpoint \(run.path) --only \(run.evaluation.benchmarks.joined(separator: ","))"
        if let limit = s["limit"] { c += " --limit \(limit)" }
        if let batch = s["batch_size"], batch != "16" { c += " --batch-size \(batch)" }
        if let tokens = s["max_tokens"], tokens != "64" { c += " --max-tokens \(tokens)" }
        if let search = s["search"], search.hasPrefix("beam ") { c += " --beam \(search.dropFirst(5))" }
        return c
    }

    func inspect(_ run: ReportRun) -> String {
        var c = "moe-mm inspect --checkpoint \(run.path) --manifest \(routingManifest)"
        if let routingLimit { c += " --limit \(routingLimit)" }
        if run.routingPath == InspectionReport.routingFile { c += " --report \(run.path)" }
        return c
    }

    func benchSkip(_ rows: [SkipBenchRow], checkpoint: String) -> String {
        var targets: [Double] = []
        for t in rows.compactMap(\.target) where !targets.contains(t) { targets.append(t) }
        var c = "moe-mm bench skip --checkpoint \(checkpoint) --manifest \(skipManifest)"
        if let skipCalibrationManifest { c += " --calibration-manifest \(skipCalibrationManifest)" }
        c += " --samples \(skipSamples) --targets \(targets.map { String(describing: $0) }.joined(separator: ","))"
        if let rounds = rows.first?.rounds, rounds != 5 { c += " --rounds \(rounds)" }
        return c + " --json > \(skipFile ?? "skip.jsonl")"
    }

    /// The command that writes the report, with the options that differ from their defaults.
    var report: String {
        let d = ReportCommands()
        var c = "moe-mm report --runs \(runs)"
        if let skipFile { c += " --bench-skip \(skipFile)" }
        if routingManifest != d.routingManifest { c += " --routing-manifest \(routingManifest)" }
        if routingLimit != d.routingLimit { c += " --routing-limit \(routingLimit ?? 0)" }
        if skipManifest != d.skipManifest { c += " --skip-manifest \(skipManifest)" }
        if skipCalibrationManifest != d.skipCalibrationManifest {
            c += " --skip-calibration-manifest \(skipCalibrationManifest ?? "''")"
        }
        if skipSamples != d.skipSamples { c += " --skip-samples \(skipSamples)" }
        if let skipCheckpointGiven { c += " --skip-checkpoint \(skipCheckpointGiven)" }
        return c + " --out \(out)"
    }
}
