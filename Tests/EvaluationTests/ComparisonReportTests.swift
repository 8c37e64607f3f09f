@testable import Evaluation
import Foundation
import Inputs
import Model
import Testing
import TestSupport

/// Hand-made runs: two training lines with token counts, validation lines with the given losses
/// (at steps 1 and 2), and an evaluation with the given test CIDEr-D and text perplexity.
enum Runs {
    static let grouped = tinyTestConfig(klLambda: 0)
    static var mixed: ModelConfig {
        var c = tinyTestConfig(klLambda: 0.1)
        c.moe!.groups = [ExpertGroupConfig(name: "mixed", modalities: [.text, .image, .audio], experts: 6, topK: 2)]
        return c
    }
    static var dense: ModelConfig {
        var c = tinyTestConfig()
        c.moe = nil
        return c
    }

    static let trainingLines = """
        {"step": 1, "loss": 3.0, "balance_loss": 0.03, "kl_loss": 0.5, "tokens_text": 100, "tokens_image": 50, "tokens_audio": 0, "mean_context": 10.5, "elapsed_s": 2.0}
        {"step": 2, "loss": 2.0, "balance_loss": 0.01, "kl_loss": 0.25, "tokens_text": 80, "tokens_image": 40, "tokens_audio": 20, "mean_context": 12.25, "elapsed_s": 65.0}
        """

    static func run(_ name: String, _ config: ModelConfig, valLoss: [Double], cider: Double = 0.5, perplexity: Double = 8,
                    metrics extra: [String: Double] = [:], settings: [String: String] = [:], routing: RoutingReport? = nil,
                    trainingLines: String = trainingLines) -> ReportRun {
        let validation = valLoss.enumerated().map { #"{"step": \#($0.offset + 1), "val_loss": \#($0.element), "val_cider_d": 0.25}"# }
        let metrics = RunMetrics.parse(Data((trainingLines + "\n" + validation.joined(separator: "\n")).utf8))
        let evaluation = RunEvaluation(rows: [
            .init(name: "caption", samples: 400, metrics: ["cider_d": cider].merging(extra) { a, _ in a }),
            .init(name: "caption_seen", samples: 200, metrics: ["cider_d": cider + 0.1]),
            .init(name: "text", samples: 300, metrics: ["perplexity": perplexity]),
            .init(name: "transcribe", samples: 200, metrics: ["wer": 0.5]),
        ], settings: settings)
        return ReportRun(name: name, path: "runs/report/\(name)", config: config, metrics: metrics, evaluation: evaluation,
                         routing: routing, routingPath: routing == nil ? nil : "inspect/routing.json")
    }

    static func routing(_ kl: [Double], agreement: Double) -> RoutingReport {
        RoutingReport(batches: 1, tokens: ["image": 360, "text": 240], layers: kl.enumerated().map { i, d in
            LayerRouting(layer: i, moeIndex: i, groups: [GroupRouting(group: "mixed", experts: 6, topK: 2, modalities: [],
                                                                      pairs: [PairRouting(a: "text", b: "image", symmetricKL: d, topKAgreement: agreement)])])
        })
    }

    static func report(_ runs: [ReportRun], skip: [SkipBenchRow]? = nil) throws -> ComparisonReport {
        try ComparisonReport(runs: runs, skip: skip, commands: ReportCommands(skipFile: skip == nil ? nil : "runs/report/skip.jsonl"),
                             machine: Machine(cores: 2, cpu: "Test CPU @ 1GHz"), date: "2025-01-02")
    }
}

@Suite struct ComparisonReportTests {
    @Test func trainingFLOPsAreThreeForwardPassesOfEveryLoggedPosition() throws {
        let r = Runs.run("tiny", Runs.grouped, valLoss: [1, 0.9])
        let a = Accounting(Runs.grouped)
        let c = Runs.grouped
        // Forward FLOPs of one token: 2 × active weights + attention's 4·d per earlier position per layer.
        func forward(_ m: Modality, _ context: Double) -> Double {
            2 * Double(a.active(m)) + Double(c.layers) * 4 * Double(c.dModel) * context
        }
        let step1 = 3 * (100 * forward(.text, 10.5) + 50 * forward(.image, 10.5))
        let step2 = step1 + 3 * (80 * forward(.text, 12.25) + 40 * forward(.image, 12.25) + 20 * forward(.audio, 12.25))
        let compute = try #require(r.compute)
        for (step, want) in [(1, step1), (2, step2)] {
            let got = compute.cumulative[step] ?? -1
            #expect(abs(got - want) <= 1e-9 * want, "cumulative FLOPs after step \(step): \(got), want \(want) (off by \(got - want))")
        }
        #expect(r.tokensTrained == 290, "positions trained \(String(describing: r.tokensTrained)), want 100+50+80+40+20 = 290")
        #expect(r.wallSeconds == 65, "wall seconds \(String(describing: r.wallSeconds)), want the last step's elapsed_s 65")
    }

    @Test func flopsAreLeftBlankWhenARunDidNotLogItsTokens() throws {
        let old = #"{"step": 1, "loss": 3.0}"# + "\n" + #"{"step": 2, "loss": 2.0}"#
        let r = Runs.run("dense", Runs.dense, valLoss: [1, 0.9], trainingLines: old)
        #expect(r.compute == nil && r.tokensTrained == nil, "a run without token counts got FLOPs \(String(describing: r.compute?.total))")
        let gap = Runs.trainingLines.split(separator: "\n")[1]   // step 2 alone: step 1 is missing
        #expect(Runs.run("dense", Runs.dense, valLoss: [1], trainingLines: String(gap)).compute == nil, "a log missing step 1 still got FLOPs")
        let md = try Runs.report([r]).markdown
        #expect(md.contains("| dense | `configs/dense.yaml` | dense SwiGLU, hidden 24 | 2 | – | – | – |"),
                "header row for a run without token counts:\n\(md.prefix(1200))")
    }

    @Test func groupingTablesCarryTheRunsNumbers() throws {
        let report = try Runs.report([Runs.run("tiny", Runs.grouped, valLoss: [0.65, 0.5], cider: 0.8123),
                                      Runs.run("moe-mixed", Runs.mixed, valLoss: [0.7, 0.6], cider: 0.79),
                                      Runs.run("dense", Runs.dense, valLoss: [0.8, 0.7], cider: 0.7)])
        let md = report.markdown
        let unit = report.flopUnit
        #expect(unit.name == "GFLOP", "FLOP unit \(unit.name) for totals of \(report.runs["tiny"]!.compute!.total)")
        let flops = ReportWording.fixed(report.runs["tiny"]!.compute!.cumulative[2]! / unit.scale, 3)
        #expect(md.contains("| 2 | \(flops) | 0.5000 | 0.2500 |"), "curve table row for step 2 should start with tiny's \(flops) GFLOP, 0.5000, 0.2500")
        #expect(md.contains("| tiny | 0.") && md.contains("| 0.5000 | 0.812 | 0.912 | 0.500 | 8.00 |"),
                "final row of tiny should read val loss 0.5000, CIDEr-D 0.812 / 0.912, WER 0.500, PPL 8.00")
        #expect(md.contains("moe-mm train --config configs/tiny.yaml --steps 2 --out runs/report/tiny"), "no train command for tiny")
        #expect(md.contains("moe-mm evaluate --checkpoint runs/report/dense --only caption,caption_seen,text,transcribe\n"),
                "no evaluate command for dense")
        #expect(md.contains("2 cores (Test CPU @ 1GHz)") && md.contains("2025-01-02"), "header lacks the machine or the date")
        #expect(md.contains("| 1m05s |"), "wall time 65 s should read 1m05s")
    }

    @Test func groupingSentenceFollowsTheLosses() throws {
        let dense = Runs.run("dense", Runs.dense, valLoss: [0.8, 0.7])
        let wins = try Runs.report([Runs.run("tiny", Runs.grouped, valLoss: [0.58, 0.5]), Runs.run("moe-mixed", Runs.mixed, valLoss: [0.7, 0.6]), dense])
        let s = wins.groupingFinding(wins.runs["tiny"]!, wins.runs["moe-mixed"]!, dense)
        #expect(s.hasPrefix("Grouped experts (tiny) end with a lower validation loss than the mixed group (0.5000 vs 0.6000, at "), "\(s)")
        // Step 1 holds a bit under half of the FLOPs of the two steps.
        let share = wins.runs["tiny"]!.compute!.cumulative[1]! / wins.runs["moe-mixed"]!.compute!.total
        #expect(s.contains("grouped was at or below that loss by step 1, at \(ReportWording.times(share)) of the mixed run's FLOPs")
                && s.contains("as MoMa reports"), "\(s)")
        #expect(s.contains("Dense of equal active compute ends at 0.7000: higher than both MoE variants, so experts help at equal active compute."), "\(s)")

        let loses = try Runs.report([Runs.run("tiny", Runs.grouped, valLoss: [0.7, 0.6]), Runs.run("moe-mixed", Runs.mixed, valLoss: [0.7, 0.5]), dense])
        let t = loses.groupingFinding(loses.runs["tiny"]!, loses.runs["moe-mixed"]!, dense)
        #expect(t.hasPrefix("The small scale does not show MoMa's effect: grouped experts (tiny) end with a higher validation loss than the mixed group (0.6000 vs 0.5000)."), "\(t)")
        let between = try Runs.report([Runs.run("tiny", Runs.grouped, valLoss: [0.7, 0.6]), Runs.run("moe-mixed", Runs.mixed, valLoss: [0.7, 0.8]), dense])
        let b = between.groupingFinding(between.runs["tiny"]!, between.runs["moe-mixed"]!, dense)
        #expect(b.contains("Dense of equal active compute ends at 0.7000: higher than tiny, lower than moe-mixed."), "\(b)")

        let level = try Runs.report([Runs.run("tiny", Runs.grouped, valLoss: [0.7, 0.603]), Runs.run("moe-mixed", Runs.mixed, valLoss: [0.7, 0.6]), dense])
        let u = level.groupingFinding(level.runs["tiny"]!, level.runs["moe-mixed"]!, dense)
        #expect(u.contains("does not show MoMa's effect") && u.contains("end level on validation loss (0.6030 vs 0.6000)"), "\(u)")
    }

    @Test func sharedSentenceAndBalanceLossFollowTheRuns() throws {
        var noShared = Runs.grouped
        noShared.moe!.shared = 0
        noShared.moe!.groups = noShared.moe!.groups.map { var g = $0; g.topK = 3; return g }
        let report = try Runs.report([Runs.run("tiny", Runs.grouped, valLoss: [1, 0.62], cider: 0.7),
                                      Runs.run("tiny-noshared", noShared, valLoss: [1, 0.55], cider: 0.75)])
        let s = report.sharedFinding(on: report.runs["tiny"]!, off: report.runs["tiny-noshared"]!)
        #expect(s.hasPrefix("The small scale does not show DeepSeekMoE's effect: without the shared expert") &&
                s.contains("(0.6200 with, 0.5500 without)") && s.contains("Test CIDEr-D is 0.700 with and 0.750 without."), "\(s)")
        // Two logged steps: the last tenth is the last step alone.
        #expect(report.sharedSection.contains("| tiny-noshared | 0 | 3 |") && report.sharedSection.contains("| 0.0100 |"),
                "shared table should show 0 shared, top-3 and balance loss 0.0100:\n\(report.sharedSection)")
    }

    @Test func klSentenceComparesRetentionAndSeparationAgainstTheBand() throws {
        var off = Runs.mixed
        off.moe!.klLambda = 0
        let report = try Runs.report([
            Runs.run("moe-mixed", Runs.mixed, valLoss: [1, 0.6], perplexity: 8.1, routing: Runs.routing([1.6, 1.8], agreement: 0.5)),
            Runs.run("moe-mixed-nokl", off, valLoss: [1, 0.6], perplexity: 8.4, routing: Runs.routing([0.2, 0.4], agreement: 1)),
        ])
        let s = report.klFinding(on: report.runs["moe-mixed"]!, off: report.runs["moe-mixed-nokl"]!)
        #expect(s.hasPrefix("With the KL band the text perplexity is lower (8.10 with the band, 8.40 without)"), "\(s)")
        #expect(s.contains("Routing (text–image) is further apart with the band than without: mean symmetric KL over 2 layer-pairs 1.7000 vs 0.3000, inside the band [1.0, 2.0]."), "\(s)")
        let section = report.klSection
        #expect(section.contains("| 1 | mixed | text–image | 1.8000 | 0.4000 | 0.50 | 1.00 |"), "routing row for layer 1:\n\(section)")
        #expect(section.contains("moe-mm inspect --checkpoint runs/report/moe-mixed-nokl --manifest data/scenes/val.jsonl --limit 200"),
                "no inspect command:\n\(section)")
    }

    @Test func objectAndPlaceAccuracyAreColumnsWhenEvaluateReportedThem() throws {
        let json = """
            {"benchmarks": [{"name": "caption", "samples": 4, "metrics": {"cider_d": 0.5, "object_accuracy": 0.375, "place_accuracy": 0.25}},
                            {"name": "text", "samples": 3, "metrics": {"perplexity": 9.5}}], "settings": {"limit": "20"}}
            """
        let evaluation = try RunEvaluation.parse(Data(json.utf8))
        var run = Runs.run("tiny", Runs.grouped, valLoss: [1, 0.5])
        run.evaluation = evaluation
        let report = try Runs.report([run, Runs.run("tiny-noshared", Runs.grouped, valLoss: [1, 0.5])])
        let section = report.sharedSection
        #expect(section.contains("| object accuracy | place accuracy |") && section.contains("| 0.375 | 0.250 |"),
                "no object accuracy 0.375 and place accuracy 0.250 columns:\n\(section)")
        #expect(section.contains("| – | – |"), "the run without them should show blanks:\n\(section)")
        #expect(section.contains("moe-mm evaluate --checkpoint runs/report/tiny --only caption,text --limit 20"),
                "evaluate command should name the benchmarks run and the limit:\n\(section)")
    }

    @Test func skipTableShowsTopOneOnceAndTheSentenceComparesAtEachTarget() throws {
        func row(_ method: String, _ target: Double?, _ skip: Double, _ cider: Double, moe: Double = 1.2) -> SkipBenchRow {
            SkipBenchRow(method: method, target: target, skipRatio: skip, generationSkipRatio: skip, ciderD: cider,
                         ciderDRelative: cider / 1.0, moeSpeedup: moe, prefillSpeedup: 1.1, decodeSpeedup: 1.05, rounds: 5,
                         textSkipRatio: method == "none" ? nil : skip / 2)
        }
        let rows = [row("none", nil, 0, 1.0, moe: 1.0),
                    row("modes", 0.25, 0.26, 0.99), row("top-1", 0.25, 0.5, 0.9), row("gate-threshold", 0.25, 0.25, 0.95),
                    row("modes", 0.5, 0.52, 0.80, moe: 1.4), row("top-1", 0.5, 0.5, 0.9), row("gate-threshold", 0.5, 0.5, 0.92)]
        let report = try Runs.report([Runs.run("tiny", Runs.grouped, valLoss: [1, 0.5])], skip: rows)
        let section = report.skipSection
        #expect(section.contains("| – | unskipped | 0.000 | 0.000 | – | 1.000 |"), "a row without a text skip ratio shows a dash:\n\(section)")
        #expect(section.components(separatedBy: "| top-1 |").count == 2, "top-1 should be shown once:\n\(section)")
        #expect(section.contains("| 0.50 | top-1 | 0.500 | 0.500 | 0.250 | 0.900 | 90.0% | 1.20× | 1.10× | 1.05× |"),
                "top-1 should sit at target 0.50, nearest its skip ratio:\n\(section)")
        #expect(section.contains("--samples 400 --targets 0.25,0.5 --json > runs/report/skip.jsonl"), "bench skip command:\n\(section)")
        let s = report.skipFinding(rows)
        #expect(s.hasPrefix("MoDES keeps more caption quality than a baseline at some targets and less at others (at 0.25 MoDES keeps 99.0% of the unskipped CIDEr-D against 95.0% for one gate threshold; at 0.50 MoDES keeps 80.0%"), "\(s)")
        #expect(s.hasSuffix("MoDES's skipped experts are real time saved: its MoE layers run 1.20×–1.40× as fast as unskipped."), "\(s)")
        let untrained = rows.map { r -> SkipBenchRow in var r = r; r.ciderD = 0; r.ciderDRelative = nil; return r }
        let u = report.skipFinding(untrained)
        #expect(u.hasPrefix("No caption quality to compare: the unskipped model's CIDEr-D on the bench's samples is 0.000."), "\(u)")

        let worse = rows.map { r -> SkipBenchRow in var r = r; if r.method == "modes" { r.ciderD = 0.5; r.ciderDRelative = 0.5 }; return r }
        #expect(report.skipFinding(worse).hasPrefix("The small scale does not show MoDES's effect"), "\(report.skipFinding(worse))")
        // Ahead by less than the level tolerance is not ahead: the sentence says how much it would take.
        let level = rows.map { r -> SkipBenchRow in
            var r = r
            if r.method == "modes" { r.ciderD = r.target == 0.25 ? 0.955 : 0.5; r.ciderDRelative = r.ciderD }
            return r
        }
        #expect(report.skipFinding(level).hasPrefix("The small scale does not show MoDES's effect: it never keeps more caption quality "
                                                     + "than a baseline by more than the 1% this report calls level (at 0.25 MoDES keeps 95.5%"),
                "\(report.skipFinding(level))")
    }

    @Test func missingRunsLeaveTheirSectionsSayingSo() throws {
        let md = try Runs.report([Runs.run("tiny", Runs.grouped, valLoss: [1, 0.5])]).markdown
        #expect(md.contains("Not measured: no finished run in `runs/report/moe-mixed` and `runs/report/dense`"), "grouping section:\n\(md)")
        #expect(md.contains("Not measured: no `bench skip --json` output was given"), "skipping section:\n\(md)")
    }

    @Test func runsOfDifferentLengthsAreRefused() {
        let short = Runs.run("dense", Runs.dense, valLoss: [1], trainingLines: String(Runs.trainingLines.split(separator: "\n")[0]))
        #expect(throws: ReportError.self) { try Runs.report([Runs.run("tiny", Runs.grouped, valLoss: [1, 0.5]), short]) }
    }

    @Test func aRunFolderIsReadFromItsFilesAndAMissingOneIsNamed() throws {
        let dir = try TemporaryDirectory()
        let run = dir.file("tiny")
        try FileManager.default.createDirectory(at: run.appendingPathComponent("inspect"), withIntermediateDirectories: true)
        try JSONEncoder().encode(Runs.grouped).write(to: run.appendingPathComponent("config.json"))
        try Data((Runs.trainingLines + "\n" + #"{"step": 2, "val_loss": 0.5}"#).utf8).write(to: run.appendingPathComponent("metrics.jsonl"))
        do {
            _ = try ReportRun.load(run.path)
            Issue.record("a run folder without evaluation.json was read")
        } catch let e as ReportError {
            #expect(e.description.contains("tiny/evaluation.json: no such file"), "error: \(e.description)")
        }
        try Data(#"{"benchmarks": [{"name": "caption", "samples": 1, "metrics": {"cider_d": 0.25}}]}"#.utf8)
            .write(to: run.appendingPathComponent("evaluation.json"))
        let document = RoutingDocument(checkpoint: run.path, collected: Runs.routing([1.25], agreement: 0.5), lastLogged: nil)
        try document.json().write(to: run.appendingPathComponent("inspect/routing.json"))
        let loaded = try ReportRun.load(run.path)
        #expect(loaded.name == "tiny" && loaded.steps == 2 && loaded.evaluation.metric("cider_d", in: "caption") == 0.25,
                "read \(loaded.name), \(loaded.steps) steps, CIDEr-D \(String(describing: loaded.evaluation.metric("cider_d", in: "caption")))")
        #expect(loaded.routingPath == "inspect/routing.json" && loaded.routing?.layers.first?.groups.first?.pairs.first?.symmetricKL == 1.25,
                "routing from \(String(describing: loaded.routingPath))")
    }

    @Test func theCPUModelComesFromTheFirstModelNameLine() {
        let info = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\nprocessor\t: 1\nmodel name\t: other\n"
        let cpu = Machine.cpuModel(info)
        #expect(cpu == "Intel(R) Xeon(R) CPU @ 2.20GHz", "read CPU model \(String(describing: cpu))")
        #expect(Machine.cpuModel("processor\t: 0\n") == nil, "a cpuinfo without model name gave a model")
    }

    @Test func benchSkipLinesReadTheTextSkipRatioWhenPresent() throws {
        let line = { (extra: String) in
            Data("{\"method\": \"modes\", \"skip_ratio\": 0.5, \"generation_skip_ratio\": 0.51\(extra), \"moe_speedup\": 1.3, \"prefill_speedup\": 1.1, \"decode_speedup\": 1.05, \"rounds\": 5}".utf8)
        }
        let with = try SkipBenchRow.parse(line(", \"generation_text_skip_ratio\": 0.27"))
        #expect(with.textSkipRatio == 0.27, "text skip ratio read as \(String(describing: with.textSkipRatio)), expected 0.27")
        let without = try SkipBenchRow.parse(line(""))
        #expect(without.textSkipRatio == nil, "an older line without it read \(String(describing: without.textSkipRatio))")
    }

    @Test func aBrokenBenchSkipLineIsNamed() throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("skip.jsonl")
        try Data(("{\"method\": \"none\", \"skip_ratio\": 0, \"generation_skip_ratio\": 0, \"moe_speedup\": 1, \"prefill_speedup\": 1, \"decode_speedup\": 1, \"rounds\": 5}\n"
                  + "{\"method\": \"modes\", \"skip_ratio\": \"half\"}\n").utf8).write(to: file)
        do {
            _ = try SkipBenchRow.load(file)
            Issue.record("a broken bench skip line was read")
        } catch let e as ReportError {
            #expect(e.description.hasSuffix("skip.jsonl:2: no finite number \"skip_ratio\""), "error: \(e.description)")
        }
    }
}
