import Foundation

/// One row of an evaluation: the samples of one task in one benchmark manifest, scored.
/// A manifest holding one task gives one row named after the file; one that mixes tasks gives a
/// row per task, named `file[task]`.
public struct BenchmarkResult: Codable, Sendable {
    public var name: String
    /// The task of the row's samples; nil only for a row whose manifest had no usable sample.
    public var task: BenchmarkTask?
    /// The manifest's path as given.
    public var manifest: String
    /// Samples scored.
    public var samples: Int
    /// Quality numbers; JSON keys are `QualityMetric` raw values (`bleu_4`, `cider_d`, `wer`, ...).
    public var metrics: [QualityMetric: Double]
    /// Samples that were left out, one line each: `manifest:line: reason`.
    public var problems: [String]
    /// `--predictions` only: benchmark ids with no prediction, and prediction ids not in the
    /// benchmark (listed on the benchmark's first row).
    public var missingIds: [String]?
    public var extraIds: [String]?
    /// Model runs only.
    public var efficiency: Efficiency?
    /// The answers generated (model runs of generation tasks), for `--save-predictions`; not in the JSON report.
    public var predictions: [Prediction] = []

    enum CodingKeys: String, CodingKey {
        case name, task, manifest, samples, metrics, problems, efficiency
        case missingIds = "missing_ids", extraIds = "extra_ids"
    }

    public init(name: String, task: BenchmarkTask?, manifest: String, samples: Int = 0, metrics: [QualityMetric: Double] = [:],
                problems: [String] = [], efficiency: Efficiency? = nil, predictions: [Prediction] = []) {
        self.name = name; self.task = task; self.manifest = manifest; self.samples = samples; self.metrics = metrics
        self.problems = problems; self.efficiency = efficiency; self.predictions = predictions
    }
}

extension QualityMetric: CodingKeyRepresentable {}

/// A generated answer, as `--predictions` files hold them: `{"id": ..., "text": ...}`.
public struct Prediction: Codable, Sendable, Equatable {
    public var id: String
    public var text: String
    public init(id: String, text: String) { self.id = id; self.text = text }
}

/// The cost of one benchmark row on this machine.
///
/// Samples run in batches of up to B (`BenchmarkOptions.batchSize`). For a generation task each
/// batch is one prefill forward (encoders and every prompt stream) and then decoding steps,
/// each feeding one token to every unfinished answer of the batch:
/// - `prefillMs`: a batch's prefill wall time; for `text`, a batch's teacher-forced scoring forward.
/// - `perTokenMs`: a batch's decoding wall time divided by its longest answer (tokens produced,
///   `<|eos|>` included), i.e. the mean time of one decoding step of that batch.
/// Both are p50/p95 over the row's batches, nearest rank (`Timings.percentile`).
/// - `tokensPerSecond`: tokens produced (`<|eos|>` included) over the summed prefill and decode
///   time; for `text`, tokens scored over the scoring time.
/// - `parametersActive` and `flopsPerToken`: weights multiplied and forward FLOPs for one
///   produced (or scored) text token (`Accounting`), at `meanContext` earlier positions (the mean
///   over those tokens of the positions each attends to), with the share of text-token routed
///   experts that skipping left out taken off.
/// - `peakMemoryMiB`: the process's peak resident memory (`ru_maxrss`) when the row finished; it
///   never decreases down a report.
public struct Efficiency: Codable, Sendable, Equatable {
    public var parametersTotal: Int
    public var parametersActive: Double
    public var flopsPerToken: Double
    public var meanContext: Double
    /// Skipped / selected (token, expert) pairs over every forward of the row; nil without skipping.
    public var skipRatio: Double?
    public var batches: Int
    public var tokens: Int
    /// Summed prefill and decode (or scoring) seconds.
    public var modelSeconds: Double
    public var tokensPerSecond: Double
    public var prefillMs: Percentiles
    /// Nil for `text`, which decodes nothing.
    public var perTokenMs: Percentiles?
    /// Wall time of the whole row, reading inputs included.
    public var wallSeconds: Double
    public var peakMemoryMiB: Double

    enum CodingKeys: String, CodingKey {
        case parametersTotal = "parameters_total", parametersActive = "parameters_active"
        case flopsPerToken = "flops_per_token", meanContext = "mean_context", skipRatio = "skip_ratio"
        case batches, tokens, modelSeconds = "model_seconds", tokensPerSecond = "tokens_per_second"
        case prefillMs = "prefill_ms", perTokenMs = "per_token_ms", wallSeconds = "wall_seconds"
        case peakMemoryMiB = "peak_memory_mib"
    }
}

/// The median and 95th percentile of a set of timings.
public struct Percentiles: Codable, Sendable, Equatable {
    public var p50: Double
    public var p95: Double
    public init(p50: Double, p95: Double) { self.p50 = p50; self.p95 = p95 }
}
