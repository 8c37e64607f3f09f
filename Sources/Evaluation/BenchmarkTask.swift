import Inputs

/// What a benchmark sample asks for, read from its manifest `task` field; it decides the metric.
public enum BenchmarkTask: String, CaseIterable, Codable, Sendable {
    /// Describe the image (or audio): BLEU-1..4, ROUGE-L, CIDEr-D against every reference, and
    /// for samples with a `scene`, object-name and place accuracy (`ObjectAccuracy`).
    case caption
    /// Speech to text: corpus word error rate against the first reference.
    case transcribe
    /// Question answering: exact-match accuracy against every accepted answer.
    case vqa
    /// Held-out text: perplexity of the sample's text under the model (no generation).
    case text

    /// The sample's task; a sample that names none is scored as a caption (as training's quick
    /// CIDEr-D treats it). Nil for a task this tool does not know.
    public init?(sample: Sample) {
        self.init(rawValue: sample.task ?? BenchmarkTask.caption.rawValue)
    }

    /// Whether the model must write an answer (every task but `text`, which is scored teacher-forced).
    public var generates: Bool { self != .text }

    /// The metrics this task reports, in table order; a caption row has `objectAccuracy` and
    /// `placeAccuracy` only when its samples carry scenes.
    public var metrics: [QualityMetric] {
        switch self {
        case .caption: [.bleu1, .bleu2, .bleu3, .bleu4, .rougeL, .ciderD, .objectAccuracy, .placeAccuracy]
        case .transcribe: [.wer]
        case .vqa: [.accuracy]
        case .text: [.perplexity]
        }
    }
}

/// One quality number of a benchmark. The raw value is its key in the JSON report.
public enum QualityMetric: String, CaseIterable, Codable, Sendable {
    case bleu1 = "bleu_1", bleu2 = "bleu_2", bleu3 = "bleu_3", bleu4 = "bleu_4"
    case rougeL = "rouge_l", ciderD = "cider_d"
    /// Caption object-name and place accuracy against the samples' scenes (`ObjectAccuracy`).
    case objectAccuracy = "object_accuracy", placeAccuracy = "place_accuracy"
    case wer, accuracy, perplexity

    /// The column header in the printed and Markdown tables.
    public var label: String {
        switch self {
        case .bleu1: "BLEU-1"
        case .bleu2: "BLEU-2"
        case .bleu3: "BLEU-3"
        case .bleu4: "BLEU-4"
        case .rougeL: "ROUGE-L"
        case .ciderD: "CIDEr-D"
        case .objectAccuracy: "objects"
        case .placeAccuracy: "places"
        case .wer: "WER"
        case .accuracy: "accuracy"
        case .perplexity: "PPL"
        }
    }

    /// Decimal places shown in the tables (the JSON keeps full precision).
    public var decimals: Int { self == .perplexity ? 2 : 3 }
}

/// Scores generated answers for the generation tasks; shared by the model run and by
/// `--predictions`, so both give the same numbers for the same texts.
public enum TaskScoring {
    /// One answer to score: the sample's id, what was predicted and what it is compared with
    /// (for a caption of a scene picture, also the scene).
    public struct Item: Sendable {
        public var id: String
        public var prediction: String
        public var references: [String]
        public var scene: SceneLayout?

        public init(id: String, prediction: String, references: [String], scene: SceneLayout? = nil) {
            self.id = id; self.prediction = prediction; self.references = references; self.scene = scene
        }
    }

    /// The task's metrics over `items` (at least one). Caption object and place accuracy are
    /// over the items that carry a scene, and absent when none does. `text` is refused:
    /// perplexity needs the model's probabilities, not an answer.
    public static func score(_ task: BenchmarkTask, _ items: [Item]) throws -> [QualityMetric: Double] {
        guard !items.isEmpty else { throw EvaluationError("\(task.rawValue): no answers to score") }
        switch task {
        case .caption:
            let s = try CaptionMetrics.score(items.map { (id: $0.id, candidate: $0.prediction, references: $0.references) })
            var metrics: [QualityMetric: Double] = [.bleu1: s.bleu[0], .bleu2: s.bleu[1], .bleu3: s.bleu[2], .bleu4: s.bleu[3],
                                                    .rougeL: s.rougeL, .ciderD: s.ciderD]
            if let o = ObjectAccuracy.score(items.compactMap { i in i.scene.map { (prediction: i.prediction, scene: $0) } }) {
                metrics[.objectAccuracy] = o.objects
                metrics[.placeAccuracy] = o.places
            }
            return metrics
        case .transcribe:
            return [.wer: WordErrorRate.corpus(items.map { (reference: $0.references.first ?? "", hypothesis: $0.prediction) })]
        case .vqa:
            return [.accuracy: ExactMatch.accuracy(items.map { (prediction: $0.prediction, answers: $0.references) })]
        case .text:
            throw EvaluationError("text: perplexity is computed from the model's probabilities, not from answers")
        }
    }
}

/// A refused evaluation input or setting, one line naming the file (and line) and what is wrong.
public struct EvaluationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
