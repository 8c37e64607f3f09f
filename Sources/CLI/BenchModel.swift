import ArgumentParser
import Foundation
import Inputs
import Kernels
import Model

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Forward+backward tokens/s and model FLOP utilisation against sgemm's peak.",
        discussion: """
            Runs training steps (forward, loss, backward) on synthetic batches shaped like the \
            recipe's data (images, audio, prompts and answers), reports the median step time, \
            tokens/s and achieved GFLOP/s next to the sgemm GFLOP/s measured in the same run on \
            the model's largest GEMM shape, and (with --experts) the step time as the routed \
            experts per group grow at fixed top-k.

            Examples:
              moe-mm bench model --config configs/tiny.yaml
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

    @Flag(help: "One JSON object per measurement.")
    var json = false

    func run() throws {
        let base = try loadModelConfig(config)
        let peakShape = largestGEMM(base, tokens: synthetic(base, seed: 1).count)
        let peak = gemmGFLOPs(peakShape)
        report(["what": "sgemm peak", "m": peakShape.m, "n": peakShape.n, "k": peakShape.k, "gflops": round2(peak)])
        let counts = try experts.map { try $0.split(separator: ",").map { s -> Int in
            guard let n = Int(s), n > 0 else { throw ValidationError("--experts: '\(s)' is not a positive count") }
            return n
        } } ?? [nil].compactMap { $0 }
        if counts.isEmpty {
            measureStep(base, peak: peak, label: "step")
        } else {
            for n in counts {
                var c = base
                for g in c.moe?.groups.indices ?? 0..<0 { c.moe!.groups[g].experts = n }
                measureStep(c, peak: peak, label: "experts=\(n)")
            }
        }
    }

    func synthetic(_ c: ModelConfig, seed: UInt64) -> Batch {
        var rng = SplitMix(seed: seed)
        let examples = (0..<batch).map { i -> Example in
            let ids = { (n: Int) in (0..<n).map { _ in Int32(5 + rng.next() % UInt64(c.vocabSize - 5)) } }
            // The bundled mix: mostly captions, then speech, then spoken questions about images.
            let image = (i % 5 != 3 && c.image != nil) ? Tensor(randomNormal: [3, c.image!.size, c.image!.size], std: 1, rng: &rng) : nil
            let audio = (i % 5 >= 3 && c.audio != nil) ? Tensor(randomNormal: [80, c.audio!.frames], std: 1, rng: &rng) : nil
            return Example(image: image, audio: audio, prompt: ids(3), target: ids(14))
        }
        return Batch(examples, config: c)
    }

    /// Median seconds of one training step (forward, loss, backward) on a synthetic batch.
    static func stepSeconds(_ c: ModelConfig, batch: Int, seconds: Double) -> Double {
        var bench = BenchModel()
        bench.batch = batch
        bench.seconds = seconds
        return bench.stepTimings(c).stats.median
    }

    func stepTimings(_ c: ModelConfig) -> (stats: Timings, batch: Batch) {
        let model = MultimodalMoE(c)
        let b = synthetic(c, seed: 2)
        let stats = measure(seconds: seconds, minRuns: 3) {
            model.zeroGradients()
            _ = model.loss(b)
            model.backward()
        }
        return (stats, b)
    }

    func measureStep(_ c: ModelConfig, peak: Double, label: String) {
        let (stats, b) = stepTimings(c)
        let a = Accounting(c)
        let context = b.count / max(b.segments.count, 1) / 2
        let flops = 3 * b.modality.reduce(0.0) { $0 + a.flopsPerToken($1, context: context) }
        let achieved = flops / stats.median / 1e9
        report(["what": label, "step_ms": round2(stats.median * 1000), "p95_ms": round2(stats.percentile(95) * 1000),
                "tokens": b.count, "tokens_per_s": round2(Double(b.count) / stats.median),
                "gflops": round2(achieved), "mfu_vs_sgemm": round2(achieved / peak), "runs": stats.runs])
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
