import ArgumentParser
import Evaluation
import Foundation
import Model
import Training

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write docs/REPORT.md: the seed papers' mechanisms compared on finished runs.",
        discussion: """
            Reads the run folders in --runs named after the report's recipes (tiny, moe-mixed, dense, \
            tiny-noshared, moe-mixed-nokl), each a finished `train --steps N` run of configs/<name>.yaml \
            with evaluation.json from `evaluate` and, for the KL-band comparison, routing.json from \
            `inspect --manifest` (in the folder or its inspect/), plus `bench skip --json` output on \
            the tiny run or --skip-checkpoint (`make report` measures the default checkpoint, \
            checkpoints/tiny, trained with the full recipe). Writes one Markdown file (atomically): per mechanism the commands that made \
            its inputs, its tables, and sentences generated from the numbers. A missing run folder \
            leaves its sections saying so; a run that is unfinished, was trained from another recipe \
            than configs/<name>.yaml, or whose evaluation or routing is older than its model is refused. \
            The --routing-* and --skip-* options only say how those inputs were made (the folders do \
            not record it), so the printed commands are the ones that ran; `make report` passes its own.

            Examples:
              make report
              moe-mm report --runs runs/report --bench-skip runs/report/skip.jsonl --out docs/REPORT.md
            """)

    @Option(help: "The folder of run folders, one per recipe name.")
    var runs = "runs/report"

    @Option(help: "`moe-mm bench skip --json` output (JSON Lines) on --skip-checkpoint.")
    var benchSkip: String?

    @Option(help: "The checkpoint bench skip measured (default: <runs>/tiny).")
    var skipCheckpoint: String?

    @Option(help: "Where to write the report.")
    var out = "docs/REPORT.md"

    @Option(help: "The manifest `inspect --manifest` measured routing on.")
    var routingManifest = "data/scenes/val.jsonl"

    @Option(help: "The --limit inspect used (0: none).")
    var routingLimit = 200

    @Option(help: "The manifest bench skip scored on.")
    var skipManifest = "data/scenes/test.jsonl"

    @Option(help: "The manifest bench skip calibrated on ('' : the scored one).")
    var skipCalibrationManifest = "data/scenes/val.jsonl"

    @Option(help: "The --samples bench skip used.")
    var skipSamples = 400

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runs, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(runs): no such directory of runs")
        }
        if let benchSkip, !FileManager.default.fileExists(atPath: benchSkip) { throw ValidationError("\(benchSkip): no such file") }
        guard routingLimit >= 0 else { throw ValidationError("--routing-limit must be 0 (none) or more, got \(routingLimit)") }
        guard skipSamples >= 1 else { throw ValidationError("--skip-samples must be at least 1, got \(skipSamples)") }
        let parent = URL(fileURLWithPath: out).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: parent) else { throw ValidationError("\(out): cannot write into \(parent)") }
    }

    func run() throws {
        let commands = ReportCommands(
            runs: runs, routingManifest: routingManifest, routingLimit: routingLimit == 0 ? nil : routingLimit,
            skipFile: benchSkip, skipManifest: skipManifest,
            skipCalibrationManifest: skipCalibrationManifest.isEmpty ? nil : skipCalibrationManifest,
            skipSamples: skipSamples, skipCheckpoint: skipCheckpoint, out: out)
        var found: [ReportRun] = []
        for variant in ComparisonReport.Variant.allCases {
            let path = commands.path(variant.rawValue)
            guard FileManager.default.fileExists(atPath: path) else {
                print("\(path): no run folder; its sections will say it was not measured")
                continue
            }
            let run = try ReportRun.load(path)
            for problem in run.metrics.problems { printError("\(path)/metrics.jsonl:\(problem.line): \(problem.reason) (left out)") }
            try checkFinished(run)
            try checkNewer([ReportRun.evaluationFile] + [run.routingPath].compactMap { $0 }, than: path)
            found.append(run)
        }
        let skip = try benchSkip.map { file -> [SkipBenchRow] in
            try checkNewer([file], than: commands.skipCheckpoint, relative: false)
            return try SkipBenchRow.load(URL(fileURLWithPath: file))
        }
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let report = try ComparisonReport(runs: found, skip: skip, commands: commands, machine: .current(), date: day)
        try report.write(to: URL(fileURLWithPath: out))
        print("wrote \(out) from \(found.count) runs\(skip == nil ? "" : " and \(benchSkip!)")")
    }

    /// The run trained configs/<name>.yaml's recipe compressed to its steps, to the end.
    private func checkFinished(_ run: ReportRun) throws {
        let dir = URL(fileURLWithPath: run.path)
        guard let newest = try Trainer.stepDirectories(dir).last else {
            throw ValidationError("\(run.path): no step-NNNNNN/ checkpoint; is it a training run?")
        }
        let stateURL = newest.appendingPathComponent(TrainerState.jsonFile)
        let state: TrainerState
        do { state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL)) } catch {
            throw ValidationError("\(stateURL.path): cannot read the trainer state (\(error))")
        }
        guard let trained = state.recipe else {
            throw ValidationError("\(stateURL.path): records no recipe (trained before moe-mm recorded it); retrain with `\(ReportCommands.train(run, steps: run.steps))`")
        }
        var recipe = try Recipe.load(URL(fileURLWithPath: "configs/\(run.name).yaml")).compressed(toSteps: trained.schedule.steps)
        // The tokenizer's special ids are filled in when training starts.
        recipe.model.bosTokenId = trained.model.bosTokenId
        recipe.model.eosTokenId = trained.model.eosTokenId
        let differ = recipe.differences(from: trained)
        guard differ.isEmpty else {
            throw ValidationError("\(run.path): trained with another recipe than configs/\(run.name).yaml --steps \(trained.schedule.steps) (\(differ.joined(separator: ", ")) differ); delete the folder and train it again")
        }
        guard state.step == trained.schedule.steps, run.steps == trained.schedule.steps else {
            throw ValidationError("\(run.path): trained to step \(state.step) of \(trained.schedule.steps); finish it with `\(ReportCommands.train(run, steps: trained.schedule.steps)) --resume`")
        }
    }

    /// Each file (in the run folder unless `relative` is false) was written after the run's model.
    private func checkNewer(_ files: [String], than runPath: String, relative: Bool = true) throws {
        let model = URL(fileURLWithPath: runPath).appendingPathComponent(Checkpoint.weightsFile).path
        guard let trained = modified(model) else { return }
        for file in files {
            let path = relative ? URL(fileURLWithPath: runPath).appendingPathComponent(file).path : file
            if let written = modified(path), written < trained {
                throw ValidationError("\(path): older than \(model); run the command that makes it again")
            }
        }
    }

    private func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    private func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
