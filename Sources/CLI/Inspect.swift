import ArgumentParser
import Evaluation
import Foundation
import Inputs
import Model

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parameters, active parameters and FLOPs per token of a model, and its routing.",
        discussion: """
            With --config, prints the parameter and FLOP accounting of an architecture.
            With --checkpoint, prints the same for the checkpoint and writes a report directory: \
            routing.json and report.html (one self-contained page: routing heatmaps, modality \
            KL per layer, training curves). The run's metrics.jsonl is read from the checkpoint \
            directory, or from its parent for a run's step-NNNNNN/ and best/ checkpoints.
            With --manifest, the checkpoint also runs forward over the manifest's samples (answers \
            included, so text routing covers them) and the report gets its routing per layer, \
            group and modality: expert load, mean routing, and the modality pairs' symmetric KL \
            and top-k agreement.

            Examples:
              moe-mm inspect --config configs/tiny.yaml
              moe-mm inspect --checkpoint checkpoints/tiny --report reports/tiny
              moe-mm inspect --checkpoint checkpoints/tiny \\
                --manifest data/scenes/val.jsonl --limit 200
            """)

    @Option(help: "A recipe (.yaml) or a config.json to account for, without weights.")
    var config: String?

    @Option(help: "A checkpoint directory to report on.")
    var checkpoint: String?

    @Option(help: "Where to write routing.json and report.html (default: <checkpoint>/inspect).")
    var report: String?

    @Option(help: "Context length at which to count attention FLOPs.")
    var context = 64

    @Option(help: "A manifest whose samples run through the checkpoint to measure routing per modality.")
    var manifest: String?

    @Option(help: "Use only the first N samples of --manifest.")
    var limit: Int?

    @Option(help: "Samples per forward batch for --manifest.")
    var batchSize = 16

    func validate() throws {
        guard (config == nil) != (checkpoint == nil) else {
            throw ValidationError("give exactly one of --config and --checkpoint")
        }
        if report != nil && checkpoint == nil { throw ValidationError("--report needs --checkpoint") }
        guard context > 0 else { throw ValidationError("--context must be positive, got \(context)") }
        if let manifest {
            guard checkpoint != nil else { throw ValidationError("--manifest needs --checkpoint") }
            guard FileManager.default.fileExists(atPath: manifest) else { throw ValidationError("\(manifest): no such manifest file") }
        } else if limit != nil {
            throw ValidationError("--limit needs --manifest")
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    func run() throws {
        if let config {
            let model = try loadModelConfig(config)
            print("model: \(config)")
            printAligned(accounting(model))
            return
        }
        try reportCheckpoint(URL(fileURLWithPath: checkpoint!))
    }

    private func reportCheckpoint(_ dir: URL) throws {
        let model = try Checkpoint.loadConfig(dir)
        let reportDir = URL(fileURLWithPath: report ?? dir.appendingPathComponent("inspect").path)
        try InspectionReport.checkTarget(reportDir)
        let facts = accounting(model)
        print("checkpoint: \(dir.path)")
        printAligned(facts)

        let metricsURL = [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("metrics.jsonl") }
            .first { FileManager.default.fileExists(atPath: $0.path) }
        let metrics = try metricsURL.map(RunMetrics.load)
        if let metricsURL, let metrics {
            print("metrics: \(metricsURL.path): \(metrics.training.count) training and \(metrics.validation.count) validation lines")
            for p in metrics.problems { printError("\(metricsURL.path):\(p.line): \(p.reason) (left out)") }
        } else {
            print("metrics: no metrics.jsonl in \(dir.path) or its parent; the report has no training curves")
        }

        let lastLogged = metrics.flatMap(LoggedRouting.init)
        if let lastLogged {
            print("routing logged at step \(lastLogged.step):")
            for (key, kl) in lastLogged.pairKL.sorted(by: { $0.key < $1.key }) {
                print("  \(key.padding(toLength: 28, withPad: " ", startingAt: 0)) symmetric KL \(String(format: "%.4f", kl))")
            }
        }

        let collected = try manifest.map { try collectRouting(dir, manifest: $0) }
        let moeLayers = (0..<model.layers).filter(model.isMoE)
        let band = model.moe.map { (low: Double($0.klBand[0]), high: Double($0.klBand[1])) }
        let page = ReportPage(
            title: "moe-mm inspect: \(dir.lastPathComponent)",
            facts: [("checkpoint", dir.path)] + facts
                + [("metrics", metricsURL?.path ?? "none found")]
                + (collected.map { [("routing measured on", $0.source)] } ?? []),
            routing: collected?.report, metrics: metrics, klBand: band, moeLayers: moeLayers)
        let document = RoutingDocument(checkpoint: dir.path, collected: collected?.report, lastLogged: lastLogged)
        for url in try InspectionReport.write(document, page: page, to: reportDir) { print("wrote \(url.path)") }
    }

    /// Runs the checkpoint over the manifest's samples (with their answers) in batches and pools
    /// the routing; unreadable samples are reported and left out.
    private func collectRouting(_ dir: URL, manifest path: String) throws -> (report: RoutingReport, source: String) {
        let loaded = try LoadedCheckpoint(dir.path)
        let manifest = try Manifest(contentsOf: URL(fileURLWithPath: path), skipBadLines: true)
        for problem in manifest.skipped { printError("\(problem) (left out)") }
        let samples = manifest.samples.prefix(limit ?? .max)
        let collector = RoutingCollector(model: loaded.model)
        var used = 0
        for begin in stride(from: 0, to: samples.count, by: batchSize) {
            var examples: [Example] = []
            for sample in samples.dropFirst(begin).prefix(batchSize) {
                do { examples.append(try loaded.builder.example(sample)) } catch {
                    printError("\(path):\(sample.line): \(error) (left out)")
                }
            }
            guard !examples.isEmpty else { continue }
            collector.add(Batch(examples, config: loaded.model.config))
            used += examples.count
        }
        guard used > 0 else { throw ValidationError("\(path): no sample could be run to measure routing") }
        let report = collector.report
        let tokens = report.tokens.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("routing over \(used) samples of \(path) (\(report.batches) batch\(report.batches == 1 ? "" : "es"); \(tokens) tokens):")
        for layer in report.layers {
            for group in layer.groups {
                let pairs = group.pairs.map { "\($0.a)-\($0.b) KL \(String(format: "%.4f", $0.symmetricKL)) top-k agreement \(String(format: "%.2f", $0.topKAgreement))" }
                let entropy = group.modalities.filter { $0.tokens > 0 }.map { "\($0.modality) \(String(format: "%.3f", $0.entropy))" }
                print("  layer \(layer.layer) \(group.group): entropy \(entropy.joined(separator: ", "))"
                      + (pairs.isEmpty ? "" : "; " + pairs.joined(separator: "; ")))
            }
        }
        return (report, "\(used) samples of \(path)")
    }

    /// The accounting as (label, value) lines, printed and shown on the report page.
    private func accounting(_ model: ModelConfig) -> [(String, String)] {
        let a = Accounting(model)
        func m(_ n: Int) -> String { String(format: "%.3fM", Double(n) / 1e6) }
        var lines: [(String, String)] = [
            ("parameters total", m(a.total)),
            ("  decoder", "\(m(a.decoder))  (embedding/LM head \(m(model.vocabSize * model.dModel)))"),
        ]
        if model.image != nil { lines.append(("  image encoder", m(a.imageEncoder))) }
        if model.audio != nil { lines.append(("  audio encoder", m(a.audioEncoder))) }
        for modality in Modality.allCases where modality == .text || (modality == .image ? model.image != nil : model.audio != nil) {
            let flops = a.flopsPerToken(modality, context: context)
            lines.append(("per \(modality) token", "active \(m(a.active(modality)))  \(String(format: "%.2f", flops / 1e6)) MFLOP (forward, context \(context))"))
        }
        if let moe = model.moe {
            let layers = (0..<model.layers).filter(model.isMoE)
            lines.append(("MoE layers \(layers)", "\(moe.shared) shared + " + moe.groups.map {
                "\($0.name)[\($0.modalities.map(\.description).joined(separator: ","))] \($0.experts) experts top-\($0.topK)"
            }.joined(separator: ", ")))
        }
        return lines
    }

    private func printAligned(_ lines: [(String, String)]) {
        let width = (lines.map(\.0.count).max() ?? 0) + 2
        for (label, value) in lines { print("  " + label.padding(toLength: width, withPad: " ", startingAt: 0) + value) }
    }

    private func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
