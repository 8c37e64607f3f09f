import Foundation
import Inference
import Inputs
import Kernels
import Model

/// How `BenchmarkRunner` runs a benchmark.
public struct BenchmarkOptions: Sendable {
    /// Samples per batch: one prefill and one decoding loop (or one scoring forward) per batch.
    public var batchSize: Int
    /// Score only the first `limit` samples of each manifest (nil: all).
    public var limit: Int?
    /// Greedy or beam search, and the most tokens an answer may take.
    public var generation: GenerationOptions

    public init(batchSize: Int = 16, limit: Int? = nil, generation: GenerationOptions = GenerationOptions()) {
        self.batchSize = batchSize; self.limit = limit; self.generation = generation
    }
}

/// Runs benchmark manifests through a model and scores them (DESIGN §6): generation tasks are
/// answered in batches and scored by their task's metric; `text` samples are scored
/// teacher-forced for perplexity. Samples that cannot be read or run are reported with their
/// manifest line and left out; the rest are scored. Expert skipping is whatever the model's MoE
/// layers carry (`MoELayer.skip`), and its ratio is reported.
public final class BenchmarkRunner {
    public let model: MultimodalMoE
    public let builder: ExampleBuilder
    public let options: BenchmarkOptions
    /// Told after each batch how far a row has got (`caption: 32/100 samples`).
    public var progress: ((String) -> Void)?
    private let generator: Generator

    public init(model: MultimodalMoE, builder: ExampleBuilder, options: BenchmarkOptions = BenchmarkOptions()) throws {
        guard options.batchSize >= 1 else { throw EvaluationError("batch size must be at least 1, got \(options.batchSize)") }
        if let limit = options.limit, limit < 1 { throw EvaluationError("limit must be at least 1, got \(limit)") }
        self.model = model
        self.builder = builder
        self.options = options
        generator = Generator(model: model)
    }

    /// The benchmark manifests (`*.jsonl`) in `folder`, sorted by name; with `only`, just the
    /// named ones (file names without `.jsonl`), in the order given.
    public static func manifests(in folder: URL, only: [String]? = nil) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EvaluationError("\(folder.relativePath): no such benchmark folder")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix(".") }.map { String($0.dropLast(6)) }.sorted()
        guard !names.isEmpty else { throw EvaluationError("\(folder.relativePath): no benchmark manifests (*.jsonl)") }
        let chosen = only ?? names
        if let unknown = chosen.first(where: { !names.contains($0) }) {
            throw EvaluationError("\(folder.relativePath): no benchmark named \"\(unknown)\" (found: \(names.joined(separator: ", ")))")
        }
        return chosen.map { folder.appendingPathComponent($0 + ".jsonl") }
    }

    /// Runs one manifest: a row per task it holds, in order of first appearance. Broken lines
    /// and unknown tasks are listed on the first row; a manifest that cannot be read at all
    /// gives one row with no samples that says why.
    public func run(_ url: URL) throws -> [BenchmarkResult] {
        let name = url.deletingPathExtension().lastPathComponent, file = url.relativePath
        let manifest: Manifest
        do { manifest = try Manifest(contentsOf: url, skipBadLines: true) } catch let error as ManifestError {
            return [BenchmarkResult(name: name, task: nil, manifest: file, problems: [error.description])]
        }
        var problems = manifest.skipped.map(\.description)
        var order: [BenchmarkTask] = [], byTask: [BenchmarkTask: [Sample]] = [:]
        for sample in manifest.samples.prefix(options.limit ?? .max) {
            guard let task = BenchmarkTask(sample: sample) else {
                problems.append("\(file):\(sample.line): unknown task \"\(sample.task ?? "")\" (expected caption, transcribe, vqa or text)")
                continue
            }
            if byTask[task] == nil { order.append(task) }
            byTask[task, default: []].append(sample)
        }
        guard !order.isEmpty else { return [BenchmarkResult(name: name, task: nil, manifest: file, problems: problems)] }
        var rows = try order.map { task in
            try run(task, byTask[task]!, name: order.count == 1 ? name : "\(name)[\(task.rawValue)]", file: file)
        }
        rows[0].problems = problems + rows[0].problems
        return rows
    }

    /// What one row's batches cost, summed.
    private struct Tally {
        var prefill = Timings(), perToken = Timings()
        var tokens = 0, seconds = 0.0
        /// Σ over produced (or scored) tokens of the positions each attends to.
        var context = 0.0
        var skip = SkipCount()
    }

    private func run(_ task: BenchmarkTask, _ samples: [Sample], name: String, file: String) throws -> BenchmarkResult {
        let start = now()
        let counting = model.moeLayers.contains { $0.skip != nil }
        var tally = Tally(), problems: [String] = [], items: [TaskScoring.Item] = [], predictions: [Prediction] = []
        var nll = 0.0, scored = 0
        for begin in stride(from: 0, to: samples.count, by: options.batchSize) {
            var ready: [(sample: Sample, example: Example, scene: SceneLayout?)] = []
            for sample in samples[begin..<min(begin + options.batchSize, samples.count)] {
                do {
                    // Only captions are scored against the scene; a vqa sample's scene is not read.
                    let scene = task == .caption ? try SceneLayout.of(sample) : nil
                    ready.append((sample, try builder.example(sample, withTarget: !task.generates), scene))
                } catch {
                    problems.append("\(file):\(sample.line): \(error)")
                }
            }
            if !ready.isEmpty {
                if task.generates {
                    for (r, text) in zip(ready, try generate(ready.map(\.example), into: &tally)) {
                        items.append(TaskScoring.Item(id: r.sample.id, prediction: text, references: r.sample.references, scene: r.scene))
                        predictions.append(Prediction(id: r.sample.id, text: text))
                    }
                } else {
                    nll += score(ready.map(\.example), into: &tally, counting: counting)
                    scored += ready.count
                }
            }
            progress?("\(name): \(min(begin + options.batchSize, samples.count))/\(samples.count) samples")
        }
        var row = BenchmarkResult(name: name, task: task, manifest: file, samples: task.generates ? items.count : scored,
                                  problems: problems, predictions: predictions)
        if !items.isEmpty { row.metrics = try TaskScoring.score(task, items) }
        if scored > 0 { row.metrics = [.perplexity: try Perplexity.from(summedNLL: nll, tokenCount: tally.tokens)] }
        if tally.prefill.runs > 0 { row.efficiency = efficiency(tally, counting: counting, wallSeconds: now() - start) }
        return row
    }

    /// Positions before the answer: `<|bos|> [image] [audio] prompt`.
    private func streamLength(_ example: Example) -> Int {
        let config = model.config
        return 1 + (example.image == nil ? 0 : config.image?.tokens ?? 0) + (example.audio == nil ? 0 : config.audio?.tokens ?? 0)
            + example.prompt.count
    }

    /// Σ attended positions of `n` tokens predicted after a stream of `length`: token j comes from
    /// position length − 1 + j, which attends to length + j positions.
    private func attended(after length: Int, tokens n: Int) -> Double {
        Double(n * length) + Double(n * (n - 1)) / 2
    }

    /// One batch of answers, decoded to text, in the examples' order.
    private func generate(_ examples: [Example], into tally: inout Tally) throws -> [String] {
        let generations = try generator.generate(examples, options: options.generation)
        // Timings and skip counts are the batch's, shared by its examples: take them once.
        let first = generations[0], steps = max(generations.map(\.tokenCount).max()!, 1)
        tally.prefill.add(first.prefillSeconds)
        tally.perToken.add(first.decodeSeconds / Double(steps))
        tally.seconds += first.prefillSeconds + first.decodeSeconds
        if let skip = first.skip { tally.skip += skip }
        return zip(examples, generations).map { example, g in
            tally.tokens += g.tokenCount
            tally.context += attended(after: streamLength(example), tokens: g.tokenCount)
            return builder.text(g.tokens)
        }
    }

    /// One teacher-forced forward over a batch of texts; returns Σ −log p over its target tokens
    /// (every text token and the closing `<|eos|>`).
    private func score(_ examples: [Example], into tally: inout Tally, counting: Bool) -> Double {
        let batch = Batch(examples, config: model.config)
        let start = now()
        let loss = model.loss(batch, gradScale: 0)
        let seconds = now() - start
        tally.prefill.add(seconds)
        tally.seconds += seconds
        tally.tokens += loss.targets
        if counting { for layer in model.moeLayers { tally.skip += layer.skipCount } }
        for ex in examples { tally.context += attended(after: streamLength(ex), tokens: ex.target.count + 1) }
        return loss.lm * Double(loss.targets)
    }

    private func efficiency(_ t: Tally, counting: Bool, wallSeconds: Double) -> Efficiency {
        let accounting = Accounting(model.config)
        let context = t.tokens == 0 ? 0 : t.context / Double(t.tokens)
        let text = Modality.text.rawValue
        let skipped = t.skip.selected[text] == 0 ? 0 : Double(t.skip.skipped[text]) / Double(t.skip.selected[text])
        let active = Double(accounting.active(.text)) - skipped * Double(routedTextParameters)
        // Accounting's FLOPs are 2 × active weights plus attention's share, linear in the context.
        let perPosition = accounting.flopsPerToken(.text, context: 1) - accounting.flopsPerToken(.text, context: 0)
        func ms(_ timings: Timings) -> Percentiles { Percentiles(p50: timings.percentile(50) * 1000, p95: timings.percentile(95) * 1000) }
        return Efficiency(
            parametersTotal: accounting.total, parametersActive: active, flopsPerToken: 2 * active + perPosition * context,
            meanContext: context, skipRatio: counting ? t.skip.ratio : nil, batches: t.prefill.runs, tokens: t.tokens,
            modelSeconds: t.seconds, tokensPerSecond: t.seconds > 0 ? Double(t.tokens) / t.seconds : 0,
            prefillMs: ms(t.prefill), perTokenMs: t.perToken.runs > 0 ? ms(t.perToken) : nil,
            wallSeconds: wallSeconds, peakMemoryMiB: PeakMemory.mebibytes)
    }

    /// Routed-expert weights a text token multiplies by without skipping: top-k SwiGLU experts
    /// (w1, w2, w3, each d × hidden) of every text-serving group in every MoE layer.
    private var routedTextParameters: Int {
        let config = model.config
        guard let moe = config.moe else { return 0 }
        let expert = 3 * config.dModel * moe.expertHidden
        let perLayer = moe.groups.filter { $0.modalities.contains(.text) }.reduce(0) { $0 + min($1.topK, $1.experts) * expert }
        return perLayer * (0..<config.layers).filter(config.isMoE).count
    }
}
