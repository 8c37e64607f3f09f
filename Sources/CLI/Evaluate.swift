import ArgumentParser
import Evaluation
import Foundation
import Inference
import Kernels

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a checkpoint on benchmark manifests, or score predictions made elsewhere.",
        discussion: """
            With --checkpoint, runs every benchmark manifest (*.jsonl) in --benchmarks and picks \
            the metric from each sample's task: caption → BLEU-1..4, ROUGE-L, CIDEr-D, and, for \
            samples with a scene ("left=dog|top=cat|background=blue"), object accuracy \
            (Σ|P∩T| / Σ|P∪T| over the pictures: T the scene's object names, P the names from the \
            benchmark's scenes that the caption mentions as whole words, longest first) and place \
            accuracy (the share of the scenes' objects named with their place word in the same \
            clause); \
            transcribe → WER; vqa → exact-match accuracy; text → perplexity (a sample without \
            a task counts as a caption). Each row also reports its cost: tokens/s, prefill and \
            per-token latency (p50/p95 over batches), FLOPs and active parameters per token, \
            skip ratio with --skip, and the process's peak memory. The table is printed and \
            written as JSON and Markdown (default <checkpoint>/evaluation.json and .md, or \
            evaluation-skip.* when skipping). Broken samples are listed with their manifest line \
            and left out; the rest are scored.

            With --predictions and --benchmark, scores a JSON Lines file of {"id", "text"} against \
            the manifest's references with no model; ids missing from either side are listed, \
            and no matching id at all is an error.

            Examples:
              moe-mm evaluate --checkpoint checkpoints/tiny --benchmarks data/benchmarks
              moe-mm evaluate --checkpoint checkpoints/tiny --only caption,vqa --limit 50 \\
                --skip
              moe-mm evaluate --predictions out/caption.jsonl \\
                --benchmark data/benchmarks/caption.jsonl
            """)

    @Option(help: "A trained checkpoint directory to evaluate.")
    var checkpoint: String?

    @Option(help: "The folder of benchmark manifests (*.jsonl).")
    var benchmarks = "data/benchmarks"

    @Option(help: "Only these benchmarks: manifest names without .jsonl, comma-separated.")
    var only: String?

    @Option(help: "Score only the first N samples of each benchmark.")
    var limit: Int?

    @Option(help: "Samples per batch (one prefill and one decoding loop each).")
    var batchSize = 16

    @Option(help: "Most tokens per answer, <|eos|> included.")
    var maxTokens = 64

    @Option(help: "Beam width; 1 is greedy.")
    var beam = 1

    @OptionGroup var skipping: SkippingOptions

    @Option(help: "Also write each benchmark's answers to DIR/<benchmark>.jsonl ({\"id\", \"text\"}).")
    var savePredictions: String?

    @Option(help: "Answers made elsewhere (JSON Lines of {\"id\", \"text\"}) to score against --benchmark.")
    var predictions: String?

    @Option(help: "The benchmark manifest that --predictions answers.")
    var benchmark: String?

    @Option(help: "Where to write the JSON report.")
    var json: String?

    @Option(help: "Where to write the Markdown report.")
    var markdown: String?

    private var scoringPredictions: Bool { predictions != nil || benchmark != nil }

    func validate() throws {
        guard (checkpoint != nil) != scoringPredictions else {
            throw ValidationError("give either --checkpoint, or --predictions with --benchmark")
        }
        if scoringPredictions {
            guard let predictions, let benchmark else { throw ValidationError("--predictions and --benchmark go together") }
            for path in [predictions, benchmark] where !FileManager.default.fileExists(atPath: path) {
                throw ValidationError("\(path): no such file")
            }
            if skipping.isOn || skipping.tauMedia != nil || only != nil || limit != nil || savePredictions != nil {
                throw ValidationError("--skip, --tau-text, --tau-media, --only, --limit and --save-predictions need --checkpoint")
            }
        } else {
            try checkDirectory(checkpoint!, "checkpoint")
            let skippingFile = URL(fileURLWithPath: checkpoint!).appendingPathComponent(SkippingFile.fileName)
            if skipping.skip && !FileManager.default.fileExists(atPath: skippingFile.path) {
                throw ValidationError("\(skippingFile.relativePath): no such file; run `moe-mm calibrate` first, or skip by --tau-text and --tau-media alone")
            }
            _ = try benchmarkManifests()
            if let savePredictions { try checkDirectory(savePredictions, "--save-predictions") }
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1, got \(maxTokens)") }
        guard beam >= 1 else { throw ValidationError("--beam must be at least 1, got \(beam)") }
        for url in [outputs.json, outputs.markdown].compactMap({ $0 }) { try checkOutput(url) }
    }

    func run() throws {
        let report = scoringPredictions ? try scorePredictions() : try runCheckpoint()
        print(report.text, terminator: "")
        for url in try report.write(json: outputs.json, markdown: outputs.markdown) { print("wrote \(url.relativePath)") }
        if let dir = savePredictions { try save(report.benchmarks, to: URL(fileURLWithPath: dir)) }
        if !report.benchmarks.contains(where: { $0.samples > 0 }) {
            throw EvaluationError("no sample could be scored (the reasons are listed above)")
        }
    }

    private func runCheckpoint() throws -> EvaluationReport {
        let manifests = try benchmarkManifests()
        let loaded = try LoadedCheckpoint(checkpoint!)
        try skipping.install(into: loaded)
        let options = BenchmarkOptions(batchSize: batchSize, limit: limit,
                                       generation: GenerationOptions(maxTokens: maxTokens, search: beam == 1 ? .greedy : .beam(width: beam)))
        let runner = try BenchmarkRunner(model: loaded.model, builder: loaded.builder, options: options)
        let interactive = isatty(STDERR_FILENO) == 1
        if interactive { runner.progress = { printError("\u{1B}[2K\r" + $0, newline: false) } }
        var rows: [BenchmarkResult] = []
        for url in manifests {
            let start = now()
            let done = try runner.run(url)
            if interactive { printError("\u{1B}[2K\r", newline: false) }
            for row in done {
                printError("\(row.name): \(row.samples) samples scored, \(row.problems.count) left out, " + String(format: "%.1f s", now() - start))
            }
            rows += done
        }
        return EvaluationReport(source: checkpoint!, settings: settings, benchmarks: rows)
    }

    private func scorePredictions() throws -> EvaluationReport {
        let file = try PredictionFile(contentsOf: URL(fileURLWithPath: predictions!))
        let rows = try PredictionScoring.score(file, benchmark: URL(fileURLWithPath: benchmark!))
        return EvaluationReport(source: predictions!, settings: ["benchmark": benchmark!], benchmarks: rows)
    }

    private var settings: [String: String] {
        var s = ["batch_size": "\(batchSize)", "max_tokens": "\(maxTokens)", "search": beam == 1 ? "greedy" : "beam \(beam)"]
        if let limit { s["limit"] = "\(limit)" }
        if let tauText = skipping.tauText, let tauMedia = skipping.tauMedia {
            s["skip"] = "tau text \(tauText), media \(tauMedia)" + (skipping.skip ? " with skipping.json's alpha" : " on the raw gate")
        } else {
            s["skip"] = skipping.skip ? SkippingFile.fileName : "off"
        }
        return s
    }

    /// The report files: as given, else beside the checkpoint (none for --predictions).
    private var outputs: (json: URL?, markdown: URL?) {
        let stem = checkpoint.map { URL(fileURLWithPath: $0).appendingPathComponent(skipping.isOn ? "evaluation-skip" : "evaluation") }
        return (json.map { URL(fileURLWithPath: $0) } ?? stem?.appendingPathExtension("json"),
                markdown.map { URL(fileURLWithPath: $0) } ?? stem?.appendingPathExtension("md"))
    }

    private func benchmarkManifests() throws -> [URL] {
        let names = only?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let names, names.isEmpty { throw ValidationError("--only names no benchmark") }
        do { return try BenchmarkRunner.manifests(in: URL(fileURLWithPath: benchmarks), only: names) } catch let error as EvaluationError {
            throw ValidationError(error.description)
        }
    }

    private func save(_ rows: [BenchmarkResult], to dir: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for row in rows where !row.predictions.isEmpty {
            let lines = try row.predictions.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }
            let url = dir.appendingPathComponent(row.name + ".jsonl")
            try AtomicFile.write(Data(lines.joined().utf8), to: url)
            print("wrote \(url.relativePath)")
        }
    }

    private func checkDirectory(_ path: String, _ what: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(path): no such \(what) directory")
        }
    }

    private func checkOutput(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("\(url.relativePath): is a directory, not a report file")
        }
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: parent) else {
            throw ValidationError("\(url.relativePath): cannot write into \(parent)")
        }
    }
}

private func printError(_ message: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((message + (newline ? "\n" : "")).utf8))
}
