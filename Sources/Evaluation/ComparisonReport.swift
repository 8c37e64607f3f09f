import Foundation
import Inputs
import Kernels
import Model

/// `docs/REPORT.md` (`moe-mm report`): the seed papers' mechanisms measured on finished runs of
/// the report's recipes at equal active compute. One section per mechanism: the commands that
/// made its inputs, its tables, and sentences generated from the tables' numbers that say
/// whether the paper's effect shows at this scale. No number in it is typed by hand.
public struct ComparisonReport {
    /// The run folders (named after their recipes) the sections compare.
    public enum Variant: String, CaseIterable, Sendable {
        case grouped = "tiny", mixed = "moe-mixed", dense, noShared = "tiny-noshared", noKL = "moe-mixed-nokl"
    }

    public var runs: [String: ReportRun]
    /// `bench skip --json` rows on the grouped run, when given.
    public var skip: [SkipBenchRow]?
    public var commands: ReportCommands
    public var machine: Machine
    /// The day the report was made, as printed in its header.
    public var date: String

    /// Refuses runs of different lengths: the tables compare them at equal steps.
    public init(runs: [ReportRun], skip: [SkipBenchRow]?, commands: ReportCommands, machine: Machine, date: String) throws {
        guard !runs.isEmpty else { throw ReportError("no finished run to report on") }
        let lengths = Set(runs.map(\.steps))
        guard lengths.count == 1 else {
            let each = runs.map { "\($0.name) \($0.steps)" }.joined(separator: ", ")
            throw ReportError("the runs trained for different numbers of steps (\(each)); train them all with the same --steps")
        }
        for run in runs where run.finalValidation?.values["val_loss"] == nil {
            throw ReportError("\(run.path)/metrics.jsonl: no validation loss logged; the run did not finish an evaluation")
        }
        self.runs = Dictionary(runs.map { ($0.name, $0) }) { first, _ in first }
        self.skip = skip
        self.commands = commands
        self.machine = machine
        self.date = date
    }

    func run(_ v: Variant) -> ReportRun? { runs[v.rawValue] }

    /// The whole document.
    public var markdown: String {
        [header, groupingSection, sharedSection, klSection, skipSection, notes].joined(separator: "\n")
    }

    /// Writes the Markdown atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(markdown.utf8), to: url)
    }

    // MARK: - Header and notes

    var flopUnit: (name: String, scale: Double) {
        ReportWording.flopUnit(largest: runs.values.compactMap { $0.compute?.total }.max() ?? 0)
    }

    var header: String {
        let steps = runs.values.first!.steps
        var s = "# moe-mm in miniature: the seed papers' mechanisms on the bundled data\n\n"
        s += "Generated on \(date) by `\(commands.report)` on a machine with \(machine.cores) cores (\(machine.cpu)). "
        s += "`make report` runs the commands shown above each table and then that one. Every run trained "
        s += "\(steps) steps of its recipe's schedule compressed to that length (`--steps`), on the same data in "
        s += "the same order. The sentences under the tables are generated from the tables' numbers.\n\n"
        let unit = flopUnit
        let rows = Variant.allCases.compactMap(run).map { r in
            [r.name, "`configs/\(r.name).yaml`", architecture(r.config), "\(r.steps)",
             r.wallSeconds.map(ReportWording.duration) ?? ReportWording.none,
             r.tokensTrained.map(ReportWording.count) ?? ReportWording.none,
             r.compute.map { ReportWording.fixed($0.total / unit.scale, 2) } ?? ReportWording.none]
        }
        s += TextTable(headers: ["run", "recipe", "feed-forward", "steps", "wall time", "positions trained", "training \(unit.name)"],
                       rows: rows, rightAligned: [3, 4, 5, 6]).markdown
        let missing = Variant.allCases.filter { run($0) == nil }.map { "`\(commands.path($0.rawValue))`" }
        if !missing.isEmpty {
            s += "\nNo finished run in \(ReportWording.list(missing)); the sections that need \(missing.count == 1 ? "it" : "them") say so.\n"
        }
        return s
    }

    /// The feed-forward in a few words, as `moe-mm inspect --config` lists it.
    func architecture(_ c: ModelConfig) -> String {
        guard let moe = c.moe else { return "dense SwiGLU, hidden \(c.ffnHidden)" }
        var s = "\(moe.shared) shared + " + moe.groups.map {
            "\($0.name)[\($0.modalities.map(\.description).joined(separator: ","))] \($0.experts) top-\($0.topK)"
        }.joined(separator: ", ")
        if moe.klLambda > 0 { s += "; KL band λ \(moe.klLambda)" }
        return s
    }

    var notes: String {
        """
        ## How the numbers are counted

        - **Training FLOPs**: for every training step, each modality's stream positions (`tokens_text`,
          `tokens_image`, `tokens_audio` in `metrics.jsonl`) times that modality's forward FLOPs per token
          as `moe-mm inspect --config` counts them (2 × the weights the token multiplies by: attention,
          shared and top-k routed experts, routers, the LM head for text, the encoder for image and audio
          positions; plus attention's products at the step's `mean_context` earlier positions), summed
          over modalities, times 3 for forward and backward, summed over steps. Validation and evaluation
          forwards are not counted. *Positions trained* is the sum of the same token counts.
        - **Wall time**: `elapsed_s` of the last training step in `metrics.jsonl`: from the run's start
          to the end of its last step, earlier validations and checkpoints included (the final ones and
          time lost to an interruption are not).
        - **val loss, val CIDEr-D**: what `train` logged at its evaluation steps: the mean target-token
          cross-entropy over the recipe's first validation samples, and CIDEr-D of greedy captions of the
          validation images among them.
        - **Final quality**: `moe-mm evaluate` on `data/benchmarks`: *CIDEr-D test* on the test scenes
          (each shows an object at a place training never showed it), *CIDEr-D seen* on validation scenes
          (in distribution), object and place accuracy on the test scenes when evaluate reports them,
          WER on test speech, *text PPL* the perplexity of held-out text (language
          retention, as SMAR measures it).
        - **Routing separation**: from `routing.json` of `moe-mm inspect --manifest`: per layer, the
          symmetric KL between two modalities' mean routing distributions (the quantity the KL band
          shapes) and the overlap of their k most-used experts (1: the same experts, 0: disjoint).
        - **Speed-ups**: medians of `bench skip`'s timed runs, each paired with an unskipped run beside it.
        - **Level** in a sentence means within \(Int(ReportWording.levelTolerance * 100))% of each other: each
          variant is one run with one seed, so a smaller gap is no evidence either way.

        """
    }

    // MARK: - Shared pieces

    /// A fenced block of commands.
    func commandBlock(_ lines: [String]) -> String {
        "```sh\n" + lines.joined(separator: "\n") + "\n```\n"
    }

    /// The runs a section needs, or a line saying which are missing.
    func need(_ variants: [Variant]) -> (runs: [ReportRun], missing: String?) {
        let found = variants.compactMap(run)
        guard found.count < variants.count else { return (found, nil) }
        let missing = variants.filter { run($0) == nil }.map { "`\(commands.path($0.rawValue))`" }
        return (found, "Not measured: no finished run in \(ReportWording.list(missing)) (`make report` trains \(missing.count == 1 ? "it" : "them")).\n")
    }

    func trainAndEvaluate(_ runs: [ReportRun]) -> [String] {
        runs.map(commands.train) + runs.map(commands.evaluate)
    }

    /// Final validation loss.
    func valLoss(_ r: ReportRun) -> Double { r.finalValidation!.values["val_loss"]! }

    /// A caption metric evaluate reports only for some benchmarks (object or place accuracy, on
    /// samples with a scene): on the test captions, else the first row that has it.
    func captionMetric(_ key: String, _ r: ReportRun) -> Double? {
        r.evaluation.metric(key, in: "caption") ?? r.evaluation.rows.lazy.compactMap { $0.metrics[key] }.first
    }

    /// The final-quality columns every section shows, in evaluate's decimals; object and place
    /// accuracy only when some run has them.
    func qualityColumns(_ runs: [ReportRun]) -> [(header: String, cell: (ReportRun) -> String)] {
        func metric(_ key: String, _ benchmark: String, _ decimals: Int) -> (ReportRun) -> String {
            { $0.evaluation.metric(key, in: benchmark).map { ReportWording.fixed($0, decimals) } ?? ReportWording.none }
        }
        var columns: [(header: String, cell: (ReportRun) -> String)] = [
            ("val loss", { ReportWording.fixed(self.valLoss($0), 4) }),
            ("CIDEr-D test", metric("cider_d", "caption", 3)),
            ("CIDEr-D seen", metric("cider_d", "caption_seen", 3)),
        ]
        for (key, header) in [("object_accuracy", "object accuracy"), ("place_accuracy", "place accuracy")]
            where runs.contains(where: { captionMetric(key, $0) != nil }) {
            columns.append((header, { self.captionMetric(key, $0).map { ReportWording.fixed($0, 3) } ?? ReportWording.none }))
        }
        columns += [("WER", metric("wer", "transcribe", 3)), ("text PPL", metric("perplexity", "text", 2))]
        return columns
    }

    /// A table with one row per run: `leading` columns, then the quality columns, then `trailing`.
    func runTable(_ runs: [ReportRun], leading: [(header: String, cell: (ReportRun) -> String)],
                  trailing: [(header: String, cell: (ReportRun) -> String)] = []) -> String {
        let columns = [("run", { (r: ReportRun) in r.name })] + leading + qualityColumns(runs) + trailing
        return TextTable(headers: columns.map(\.0), rows: runs.map { r in columns.map { $0.1(r) } },
                         rightAligned: Set(1..<columns.count)).markdown
    }

    func trainingFLOPs(_ r: ReportRun) -> String {
        r.compute.map { ReportWording.fixed($0.total / flopUnit.scale, 2) } ?? ReportWording.none
    }
}
