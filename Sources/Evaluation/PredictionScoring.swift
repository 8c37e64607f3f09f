import Foundation
import Inputs

/// Answers made elsewhere: JSON Lines of `{"id": "...", "text": "..."}` (a number is accepted
/// as an id). Bad lines and repeated ids are listed with their line and left out.
public struct PredictionFile: Sendable {
    public let url: URL
    /// The answers by id (the first one, when an id repeats).
    public let texts: [String: String]
    /// Ids in file order.
    public let ids: [String]
    /// `file:line: reason` for each line left out.
    public let problems: [String]

    public init(contentsOf url: URL) throws {
        let name = url.relativePath
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EvaluationError("\(name): no such predictions file")
        }
        var texts: [String: String] = [:], ids: [String] = [], firstLine: [String: Int] = [:], problems: [String] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard line.contains(where: { !$0.isWhitespace }) else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                problems.append("\(name):\(number): not a JSON object")
                continue
            }
            let id: String
            if let s = object["id"] as? String { id = s } else if let n = object["id"] as? Int { id = String(n) } else {
                problems.append("\(name):\(number): expected a string \"id\"")
                continue
            }
            guard let text = object["text"] as? String else {
                problems.append("\(name):\(number): \(id): expected a string \"text\"")
                continue
            }
            if let first = firstLine[id] {
                problems.append("\(name):\(number): id \(id) repeats line \(first) (the first is kept)")
                continue
            }
            firstLine[id] = number
            texts[id] = text
            ids.append(id)
        }
        guard !ids.isEmpty else {
            throw EvaluationError("\(name): no usable predictions" + (problems.first.map { " (first problem: \($0))" } ?? ""))
        }
        self.url = url; self.texts = texts; self.ids = ids; self.problems = problems
    }
}

/// Scores a `PredictionFile` against a benchmark manifest's references, with no model.
public enum PredictionScoring {
    /// A row per generation task in the manifest. Benchmark samples with no prediction are listed
    /// by id on their row (`missingIds`), predictions for ids the benchmark lacks on the first
    /// row (`extraIds`). Throws when no prediction matches a scoreable sample, or when the manifest
    /// holds only `text` samples (perplexity needs the model).
    public static func score(_ predictions: PredictionFile, benchmark url: URL) throws -> [BenchmarkResult] {
        let file = url.relativePath, name = url.deletingPathExtension().lastPathComponent
        let manifest = try Manifest(contentsOf: url, skipBadLines: true, checkFiles: false)
        var problems = predictions.problems + manifest.skipped.map(\.description)
        var order: [BenchmarkTask] = [], byTask: [BenchmarkTask: [Sample]] = [:], textSamples = 0
        for sample in manifest.samples {
            guard let task = BenchmarkTask(sample: sample) else {
                problems.append("\(file):\(sample.line): unknown task \"\(sample.task ?? "")\" (expected caption, transcribe, vqa or text)")
                continue
            }
            guard task.generates else { textSamples += 1; continue }
            if byTask[task] == nil { order.append(task) }
            byTask[task, default: []].append(sample)
        }
        if textSamples > 0 {
            guard !order.isEmpty else {
                throw EvaluationError("\(file): text samples are scored by perplexity under a model; use --checkpoint, not --predictions")
            }
            problems.append("\(file): \(textSamples) text sample\(textSamples == 1 ? "" : "s") left out (perplexity needs the model)")
        }
        let known = Set(manifest.samples.map(\.id))
        var rows: [BenchmarkResult] = []
        for task in order {
            var row = BenchmarkResult(name: order.count == 1 ? name : "\(name)[\(task.rawValue)]", task: task, manifest: file)
            var items: [TaskScoring.Item] = [], missing: [String] = []
            for sample in byTask[task]! {
                guard let text = predictions.texts[sample.id] else { missing.append(sample.id); continue }
                let scene: SceneLayout?
                do { scene = task == .caption ? try SceneLayout.of(sample) : nil } catch {
                    problems.append("\(file):\(sample.line): \(error)")
                    continue
                }
                items.append(TaskScoring.Item(id: sample.id, prediction: text, references: sample.references, scene: scene))
            }
            row.samples = items.count
            row.missingIds = missing
            if !items.isEmpty { row.metrics = try TaskScoring.score(task, items) }
            rows.append(row)
        }
        guard rows.contains(where: { $0.samples > 0 }) else {
            let sample = { (ids: [String]) in ids.prefix(3).joined(separator: ", ") + (ids.count > 3 ? ", ..." : "") }
            throw EvaluationError("\(predictions.url.relativePath): none of its \(predictions.ids.count) ids matches a sample of \(file) "
                                  + "(predictions: \(sample(predictions.ids)); benchmark: \(sample(manifest.samples.map(\.id))))")
        }
        rows[0].problems = problems
        rows[0].extraIds = predictions.ids.filter { !known.contains($0) }
        return rows
    }
}
