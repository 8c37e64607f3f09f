import ArgumentParser
import Evaluation
import Foundation
import Inference
import Inputs
import Model

struct BenchSkip: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skip",
        abstract: "Expert skipping: MoDES thresholds against top-1 and one gate threshold, quality and real speed.",
        discussion: """
            α and the threshold grid are calibrated once (on the manifest's first samples, or on \
            --calibration-manifest's); then at each target skip ratio three methods are compared \
            on the manifest's samples: MoDES (α-modulated text and media thresholds from the \
            frontier walk), top-k reduced to 1, and one threshold on the raw gate. For each: the \
            skip ratio reached (teacher-forced, and over the greedy generations, overall and for \
            text tokens alone, which are all a decoding step feeds), the answer-token \
            KL to the unskipped model and the cross-entropy, CIDEr-D of the greedy captions of \
            caption samples, and time: inside the MoE layers (whole, and the expert groups alone, \
            as the shared experts always run), prefill, and per decoded token. Every timed run is \
            paired with a run of the unskipped model beside it; times are medians of --rounds runs \
            and each speed-up is the median of the pairs' ratios. The table is Markdown.

            Examples:
              moe-mm bench skip --checkpoint checkpoints/tiny \\
                --manifest data/scenes/test.jsonl
              moe-mm bench skip --checkpoint checkpoints/tiny \\
                --manifest data/scenes/test.jsonl \\
                --calibration-manifest data/scenes/val.jsonl
              moe-mm bench skip --checkpoint checkpoints/tiny \\
                --manifest data/scenes/test.jsonl --targets 0.5 --json
            """)

    @Option(help: "A trained checkpoint directory.")
    var checkpoint: String

    @Option(help: "A dataset manifest (JSON Lines) whose samples have answers (caption samples: references).")
    var manifest: String

    @Option(help: "Use the manifest's first N samples for calibration and generation.")
    var samples = 64

    @Option(help: "Calibrate on this manifest's first N samples instead (e.g. a validation split), so the methods are scored on samples they were not tuned on.")
    var calibrationManifest: String?

    @Option(help: "Comma-separated target skip ratios, each in [0, 1].")
    var targets = "0.25,0.5,0.75"

    @Option(help: "Thresholds per grid axis (quantiles of the scores), at least 2.")
    var grid = 16

    @Flag(help: "Separate image and audio thresholds for MoDES.")
    var splitMedia = false

    @Option(help: "Timed runs of each method, each beside one unskipped run.")
    var rounds = 5

    @Option(help: "Examples per forward (calibration) and per generate call.")
    var batch = 16

    @Option(help: "Most tokens to generate per sample, <|eos|> included.")
    var maxTokens = 64

    @Flag(help: "One JSON object per row instead of the table.")
    var json = false

    func validate() throws {
        _ = try parsedTargets()
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        guard grid >= 2 else { throw ValidationError("--grid must be at least 2") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        try checkInputs(checkpoint: checkpoint, manifest: manifest)
        if let other = calibrationManifest { try checkInputs(checkpoint: checkpoint, manifest: other) }
    }

    func parsedTargets() throws -> [Double] {
        let values = try targets.split(separator: ",", omittingEmptySubsequences: false).map { s -> Double in
            guard let r = Double(s.trimmingCharacters(in: .whitespaces)), (0...1).contains(r) else {
                throw ValidationError("--targets: '\(s)' is not a skip ratio in [0, 1]")
            }
            return r
        }
        guard !values.isEmpty else { throw ValidationError("--targets is empty") }
        return values
    }

    func run() throws {
        let loaded = try LoadedCheckpoint(checkpoint)
        let (samples, examples) = try calibrationSet(manifest, count: self.samples, builder: loaded.builder)
        let evaluation = try Calibration(model: loaded.model, examples: examples, batchSize: batch)
        let calibration = try calibrationManifest.map {
            try Calibration(model: loaded.model, examples: calibrationSet($0, count: self.samples, builder: loaded.builder).examples,
                            batchSize: batch)
        } ?? evaluation
        let captions = samples.indices.filter { isCaption(samples[$0]) }
        let options = SkipComparison.Options(
            targets: try parsedTargets(), grid: GridOptions(textPoints: grid, mediaPoints: grid, splitMedia: splitMedia),
            rounds: rounds, generation: GenerationOptions(maxTokens: maxTokens), batchSize: batch)
        let result = try SkipComparison.run(calibration, evaluation: evaluation, prompts: examples, options: options) { generations in
            guard !captions.isEmpty else { return nil }
            let items = captions.map { i in
                (id: samples[i].id, candidate: loaded.builder.text(generations[i].tokens), references: samples[i].references)
            }
            return try CaptionMetrics.score(items).ciderD
        }
        if json {
            for row in result.rows { print(jsonLine(row, unskippedQuality: result.rows[0].quality)) }
        } else {
            let source = calibrationManifest.map { "calibrated on \(calibration.exampleCount) samples of \($0)" } ?? "calibrated on the same samples"
            print("\(manifest): \(examples.count) samples (\(captions.count) captions scored), \(evaluation.answerTokens) answer tokens; "
                + "\(source); grid \(result.grid.textCount)×\(result.grid.mediaCount); \(rounds) timed pairs per method")
            printAlpha(result.alpha, layers: loaded.model.blocks.indices.filter { loaded.model.blocks[$0].moe != nil },
                       present: calibration.modalities)
            print("")
            print(table(result.rows))
            print("")
            print("Times are medians over \(rounds) runs of generating for every sample (greedy, batches of \(batch)): MoE ms inside the")
            print("MoE layers (and their prefill and decoding parts), routed ms inside their expert groups, prefill summed over")
            print("the calls, decode per fed token. (×) is the median over the rounds of the unskipped run's time over this")
            print("method's run beside it. MoE work bound: the MoE speed-up if time were the expert rows computed (shared")
            print("rows plus kept routed rows), the most skipping can give. Expert runs: how many times fewer routed experts")
            print("ran (an expert that gets no row is not run); with a decoding step's few rows an expert costs about its")
            print("weight reads whatever its rows, so the decoding part follows this rather than the work bound.")
            for r in result.rows where r.method == "modes" {
                let tau = r.tau!.map(fmt)
                print("MoDES at \(r.target!): τ text \(tau[0]), " + (splitMedia ? "image \(tau[1]), audio \(tau[2])" : "media \(tau[1])")
                    + ", \(r.passes!) passes on the frontier walk")
            }
        }
    }

    /// Samples scored with CIDEr-D: caption tasks, untagged ones included (as `evaluate` scores them).
    func isCaption(_ s: Sample) -> Bool { BenchmarkTask(sample: s) == .caption }

    func table(_ rows: [SkipComparison.Row]) -> String {
        let base = rows[0].quality
        var lines = [
            "| target | method | skip (teacher-forced) | skip (generating) | text skip (generating) | answer KL | answer CE | CIDEr-D | vs none | MoE work bound | expert runs | MoE ms | MoE in prefill ms | MoE in decoding ms | routed ms | prefill ms | decode ms/token |",
            "|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        // Times are medians; the factor beside each is the median of the paired runs' ratios.
        func time(_ seconds: Double, _ speedup: Double, digits: Int = 1) -> String {
            String(format: "%.\(digits)f (%.2f×)", seconds * 1000, speedup)
        }
        for r in rows {
            let cells: [String] = [
                r.target.map { String(format: "%.2f", $0) } ?? "–", r.method,
                String(format: "%.3f", r.measurement.skipRatio), String(format: "%.3f", r.generationSkipRatio),
                String(format: "%.3f", r.generationTextSkipRatio), String(format: "%.4f", r.measurement.kl), String(format: "%.3f", r.measurement.crossEntropy),
                r.quality.map { String(format: "%.3f", $0) } ?? "–",
                relative(r.quality, base).map { String(format: "%.1f%%", $0 * 100) } ?? "–",
                String(format: "%.2f×", r.workBound), String(format: "%.2f×", r.expertRunRatio),
                time(r.speed.moeSeconds, r.speedup.moe), time(r.speed.moePrefillSeconds, r.speedup.moePrefill),
                time(r.speed.moeDecodeSeconds, r.speedup.moeDecode), time(r.speed.routedSeconds, r.speedup.routed),
                time(r.speed.prefillSeconds, r.speedup.prefill), time(r.speed.decodeSecondsPerToken, r.speedup.decode, digits: 3),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    func jsonLine(_ r: SkipComparison.Row, unskippedQuality: Double?) -> String {
        var record: [String: Any] = [
            "method": r.method, "skip_ratio": r.measurement.skipRatio, "generation_skip_ratio": r.generationSkipRatio,
            "generation_text_skip_ratio": r.generationTextSkipRatio,
            "kl": r.measurement.kl, "cross_entropy": r.measurement.crossEntropy,
            "moe_ms": r.speed.moeSeconds * 1000, "moe_ms_unskipped": r.unskippedSpeed.moeSeconds * 1000, "moe_speedup": r.speedup.moe,
            "moe_prefill_ms": r.speed.moePrefillSeconds * 1000, "moe_prefill_ms_unskipped": r.unskippedSpeed.moePrefillSeconds * 1000,
            "moe_prefill_speedup": r.speedup.moePrefill,
            "moe_decode_ms": r.speed.moeDecodeSeconds * 1000, "moe_decode_ms_unskipped": r.unskippedSpeed.moeDecodeSeconds * 1000,
            "moe_decode_speedup": r.speedup.moeDecode,
            "routed_ms": r.speed.routedSeconds * 1000, "routed_ms_unskipped": r.unskippedSpeed.routedSeconds * 1000,
            "routed_speedup": r.speedup.routed,
            "prefill_ms": r.speed.prefillSeconds * 1000, "prefill_ms_unskipped": r.unskippedSpeed.prefillSeconds * 1000,
            "prefill_speedup": r.speedup.prefill,
            "decode_ms_per_token": r.speed.decodeSecondsPerToken * 1000,
            "decode_ms_per_token_unskipped": r.unskippedSpeed.decodeSecondsPerToken * 1000, "decode_speedup": r.speedup.decode,
            "computed_rows": r.speed.computedRows, "computed_rows_unskipped": r.unskippedSpeed.computedRows,
            "shared_rows": r.speed.sharedRows, "moe_work_bound": r.workBound,
            "expert_runs": r.speed.expertRuns, "expert_runs_unskipped": r.unskippedSpeed.expertRuns, "rounds": rounds,
        ]
        if let t = r.target { record["target"] = t }
        if let q = r.quality { record["cider_d"] = q }
        if let rel = relative(r.quality, unskippedQuality) { record["cider_d_vs_unskipped"] = rel }
        if let tau = r.tau { record["tau"] = tau.map(Double.init) }
        if let p = r.passes { record["passes"] = p }
        let data = (try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    func relative(_ q: Double?, _ base: Double?) -> Double? {
        guard let q, let base, base > 0 else { return nil }
        return q / base
    }
}
