import ArgumentParser
import Foundation
import Inputs
import Kernels
import Model
import Training

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Forward+backward tokens/s and model FLOP utilisation against sgemm's peak.",
        discussion: """
            Runs training steps (forward, loss, backward) on synthetic batches shaped like the \
            recipe's data (images, audio, prompts and answers), reports the median step time, \
            tokens/s and achieved GFLOP/s next to the sgemm GFLOP/s measured in the same run on \
            the model's largest GEMM shape, and (with --experts) the step time as the routed \
            experts per group grow at fixed top-k. With --accumulation N (a recipe's own by \
            default) the batch is also timed as N micro-batches, each on its own copy of the \
            model and run concurrently, as `train` runs them, beside the single batch.

            Examples:
              moe-mm bench model --config configs/tiny.yaml
              moe-mm bench model --config configs/tiny.yaml --accumulation 2
              moe-mm bench model --config configs/tiny.yaml --experts 4,8,16,32 --json
            """)

    @Option(help: "A recipe (.yaml) or config.json.")
    var config: String

    @Option(help: "Sequences per step.")
    var batch = 16

    @Option(help: "Seconds to spend on each measurement.")
    var seconds = 5.0

    @Option(help: "Comma-separated routed-expert counts per group to sweep at fixed top-k.")
    var experts: String?

    @Option(help: "Micro-batches per step (default: the recipe's accumulation, else 1).")
    var accumulation: Int?

    @Flag(help: "One JSON object per measurement.")
    var json = false

    func validate() throws {
        if let accumulation, accumulation < 1 || batch % accumulation != 0 {
            throw ValidationError("--accumulation must divide --batch \(batch) into equal micro-batches, got \(accumulation)")
        }
    }

    func run() throws {
        let base = try loadModelConfig(config)
        let parts = try microBatchCount(given: accumulation)
        let peakShape = largestGEMM(base, tokens: synthetic(base, seed: 1).count)
        let peak = gemmGFLOPs(peakShape)
        report(["what": "sgemm peak", "m": peakShape.m, "n": peakShape.n, "k": peakShape.k, "gflops": round2(peak)])
        let counts = try experts.map { try $0.split(separator: ",").map { s -> Int in
            guard let n = Int(s), n > 0 else { throw ValidationError("--experts: '\(s)' is not a positive count") }
            return n
        } } ?? [nil].compactMap { $0 }
        if counts.isEmpty {
            measureStep(base, peak: peak, label: "step", parts: 1)
            if parts > 1 { measureStep(base, peak: peak, label: "step in \(parts) micro-batches", parts: parts) }
        } else {
            for n in counts {
                var c = base
                for g in c.moe?.groups.indices ?? 0..<0 { c.moe!.groups[g].experts = n }
                measureStep(c, peak: peak, label: "experts=\(n)", parts: parts)
            }
        }
    }

    func synthetic(_ c: ModelConfig, seed: UInt64, parts: Int) -> [Batch] {
        var rng = SplitMix(seed: seed)
        let examples = (0..<batch).map { i -> Example in
            let ids = { (n: Int) in (0..<n).map { _ in Int32(5 + rng.next() % UInt64(c.vocabSize - 5)) } }
            // The bundled mix: mostly captions, then speech, then spoken questions about images.
            // Unpadded clips take the bundled data's median lengths (speech 2.3 s, questions 1.1 s;
            // 100 log-mel frames a second).
            let image = (i % 5 != 3 && c.image != nil) ? Tensor(randomNormal: [3, c.image!.size, c.image!.size], std: 1, rng: &rng) : nil
            let audio = c.audio.flatMap { a -> Tensor? in
                guard i % 5 >= 3 else { return nil }
                let frames = a.padToMax ? a.frames : min(a.frames, i % 5 == 3 ? 230 : 110)
                return Tensor(randomNormal: [80, frames], std: 1, rng: &rng)
            }
            return Example(image: image, audio: audio, prompt: ids(3), target: ids(14))
        }
        let size = batch / parts
        return (0..<parts).map { Batch(Array(examples[$0 * size..<($0 + 1) * size]), config: c) }
    }

    func synthetic(_ c: ModelConfig, seed: UInt64) -> Batch { synthetic(c, seed: seed, parts: 1)[0] }

    /// Median seconds of one training step (forward, loss, backward) on a synthetic batch.
    static func stepSeconds(_ c: ModelConfig, batch: Int, seconds: Double) -> Double {
        var bench = BenchModel()
        bench.batch = batch
        bench.seconds = seconds
        return bench.stepTimings(c, parts: 1).stats.median
    }

    /// Timings of a training step as `train` runs it: the batch as `parts` micro-batches through
    /// `MicroBatches`, then (with `update`) AdamW and the copies' synchronisation.
    func stepTimings(_ c: ModelConfig, parts: Int, update: Bool = false) -> (stats: Timings, batches: [Batch]) {
        let model = MultimodalMoE(c)
        let micro = MicroBatches(model: model, count: parts)
        let batches = synthetic(c, seed: 2, parts: parts)
        let optimizer = update ? AdamW(model.parameters) : nil
        let stats = measure(seconds: seconds, minRuns: 3) {
            _ = micro.forwardBackward(batches)
            if let optimizer {
                optimizer.update(lr: 1e-4)
                micro.synchronize()
            }
        }
        return (stats, batches)
    }

    /// Tokens/s and model GFLOP/s of a training step over `batches` taking `seconds` (model FLOPs:
    /// forward and backward, about 3× the forward).
    func throughput(_ c: ModelConfig, _ batches: [Batch], seconds: Double) -> (tokensPerSecond: Double, gflops: Double) {
        let a = Accounting(c)
        let flops = batches.reduce(0.0) { total, b in
            let context = b.count / max(b.segments.count, 1) / 2
            return total + 3 * b.modality.reduce(0.0) { $0 + a.flopsPerToken($1, context: context) }
        }
        let tokens = batches.reduce(0) { $0 + $1.count }
        return (Double(tokens) / seconds, flops / seconds / 1e9)
    }

    func measureStep(_ c: ModelConfig, peak: Double, label: String, parts: Int) {
        let (stats, batches) = stepTimings(c, parts: parts)
        let rate = throughput(c, batches, seconds: stats.median)
        report(["what": label, "step_ms": round2(stats.median * 1000), "p95_ms": round2(stats.percentile(95) * 1000),
                "tokens": batches.reduce(0) { $0 + $1.count }, "tokens_per_s": round2(rate.tokensPerSecond),
                "gflops": round2(rate.gflops), "mfu_vs_sgemm": round2(rate.gflops / peak), "runs": stats.runs])
    }

    /// Micro-batches per step: `given`, else the recipe's gradient accumulation when `config` is a
    /// recipe, else 1; it must split `batch` evenly.
    func microBatchCount(given: Int?) throws -> Int {
        let url = URL(fileURLWithPath: config)
        let parts = try given ?? (["yaml", "yml"].contains(url.pathExtension) ? Recipe.load(url).optimizer.accumulation : 1)
        guard batch % parts == 0 else { throw ValidationError("accumulation \(parts) does not divide --batch \(batch) into equal micro-batches") }
        return parts
    }

    /// The decoder's widest per-step product: all tokens through the widest weight.
    func largestGEMM(_ c: ModelConfig, tokens: Int) -> (m: Int, n: Int, k: Int) {
        let widest = max(c.dModel, c.ffnHidden, c.moe?.expertHidden ?? 0)
        return (tokens, widest, c.dModel)
    }

    func gemmGFLOPs(_ s: (m: Int, n: Int, k: Int)) -> Double {
        let a = Tensor(shape: [s.m, s.k], repeating: 0.5), b = Tensor(shape: [s.k, s.n], repeating: 0.25), out = Tensor(zeros: [s.m, s.n])
        let t = measure(seconds: 1) { matmul(a, b, into: out) }
        return 2 * Double(s.m * s.n * s.k) / t.median / 1e9
    }

    func report(_ fields: KeyValuePairs<String, Any>) {
        if json {
            print("{" + fields.map { "\"\($0.key)\": \($0.value is String ? "\"\($0.value)\"" : "\($0.value)")" }.joined(separator: ", ") + "}")
        } else {
            print(fields.map { "\($0.key)=\($0.value)" }.joined(separator: "  "))
        }
    }
}

func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
