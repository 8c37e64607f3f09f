import Foundation
import Inputs
import Model

/// One finished training run as the comparison report reads it from its folder: the model's
/// `config.json`, `metrics.jsonl`, `evaluation.json`, and the routing `moe-mm inspect` measured
/// (`routing.json` in the folder or in its `inspect/`), when there is one.
public struct ReportRun: Sendable {
    /// The folder's name, which is also its recipe's (`configs/<name>.yaml`).
    public var name: String
    /// The folder as the commands name it.
    public var path: String
    public var config: ModelConfig
    public var metrics: RunMetrics
    public var evaluation: RunEvaluation
    public var routing: RoutingReport?
    /// Where `routing.json` was found (nil when it was not).
    public var routingPath: String?

    public init(name: String, path: String, config: ModelConfig, metrics: RunMetrics, evaluation: RunEvaluation,
                routing: RoutingReport? = nil, routingPath: String? = nil) {
        self.name = name; self.path = path; self.config = config; self.metrics = metrics
        self.evaluation = evaluation; self.routing = routing; self.routingPath = routingPath
    }

    public static let evaluationFile = "evaluation.json"

    /// Reads the run folder `path`; a missing or broken file is an error naming it.
    public static func load(_ path: String) throws -> ReportRun {
        let dir = URL(fileURLWithPath: path)
        let config: ModelConfig
        do { config = try Checkpoint.loadConfig(dir) } catch let e as CheckpointError { throw ReportError(e.description) }
        let metricsURL = dir.appendingPathComponent("metrics.jsonl")
        guard FileManager.default.fileExists(atPath: metricsURL.path) else {
            throw ReportError("\(metricsURL.path): no such file; is \(path) a training run folder?")
        }
        let metrics = try RunMetrics.load(metricsURL)
        let evaluationURL = dir.appendingPathComponent(evaluationFile)
        guard FileManager.default.fileExists(atPath: evaluationURL.path) else {
            throw ReportError("\(evaluationURL.path): no such file; run `moe-mm evaluate --checkpoint \(path)` first")
        }
        let evaluation = try RunEvaluation.load(evaluationURL)
        var routing: RoutingReport?, routingPath: String?
        for candidate in [InspectionReport.routingFile, "inspect/" + InspectionReport.routingFile] {
            let url = dir.appendingPathComponent(candidate)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            do { routing = try JSONDecoder().decode(RoutingDocument.self, from: Data(contentsOf: url)).collected } catch {
                throw ReportError("\(url.path): not a routing.json of moe-mm inspect (\(error))")
            }
            routingPath = candidate
            break
        }
        return ReportRun(name: dir.lastPathComponent, path: path, config: config, metrics: metrics, evaluation: evaluation,
                         routing: routing, routingPath: routingPath)
    }

    /// The last training step logged.
    public var steps: Int { metrics.training.last?.step ?? 0 }

    /// The last validation point, if the run logged one.
    public var finalValidation: RunMetrics.ValidationPoint? { metrics.validation.last }

    /// Wall seconds from the run's start to the end of its last step (`elapsed_s`); the final
    /// validation and checkpoint come after it and are not in it.
    public var wallSeconds: Double? { metrics.training.last?.values["elapsed_s"] }

    /// Stream positions trained on, all modalities, when every step logged them.
    public var tokensTrained: Int? {
        guard compute != nil else { return nil }
        return metrics.training.reduce(0) { sum, p in
            sum + Modality.allCases.reduce(0) { $0 + Int(p.values["tokens_\($1)"] ?? 0) }
        }
    }

    /// Training FLOPs up to and including each logged step, when every step logged its tokens.
    public var compute: TrainingCompute? { TrainingCompute(metrics: metrics, config: config) }

    /// Mean of a logged training value over the last tenth of the logged steps (at least one),
    /// which smooths the per-batch noise of losses such as `balance_loss`.
    public func lateMean(_ key: String) -> Double? {
        let values = metrics.training.compactMap { $0.values[key] }
        guard !values.isEmpty else { return nil }
        let tail = values.suffix(max(1, values.count / 10))
        return tail.reduce(0, +) / Double(tail.count)
    }
}

/// Training FLOPs counted from `metrics.jsonl` and the model's accounting: each step's forward
/// FLOPs are Σ over modalities of (stream positions of that modality, `tokens_<modality>`) ×
/// (`Accounting.flopsPerToken` for that modality at the step's `mean_context`), and a training
/// step costs 3 × its forward (the backward is about twice the forward). Validation and
/// evaluation forwards are not counted.
public struct TrainingCompute: Sendable {
    /// Cumulative FLOPs after each logged step, by step.
    public let cumulative: [Int: Double]
    public var total: Double { cumulative.values.max() ?? 0 }

    /// nil when the log skips a step or a step lacks its token counts (runs trained before
    /// moe-mm logged them): their FLOPs cannot be counted honestly.
    public init?(metrics: RunMetrics, config: ModelConfig) {
        let accounting = Accounting(config)
        // Accounting's FLOPs are linear in the context: a fixed part and a share per earlier position.
        let fixed = Modality.allCases.map { accounting.flopsPerToken($0, context: 0) }
        let perPosition = Modality.allCases.map { accounting.flopsPerToken($0, context: 1) - fixed[$0.rawValue] }
        var sum = 0.0, cumulative: [Int: Double] = [:]
        for (i, p) in metrics.training.enumerated() {
            guard p.step == i + 1, let context = p.values["mean_context"] else { return nil }
            var forward = 0.0
            for m in Modality.allCases {
                guard let n = p.values["tokens_\(m)"] else { return nil }
                forward += n * (fixed[m.rawValue] + perPosition[m.rawValue] * context)
            }
            sum += 3 * forward
            cumulative[p.step] = sum
        }
        guard !cumulative.isEmpty else { return nil }
        self.cumulative = cumulative
    }
}
