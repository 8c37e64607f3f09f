import ArgumentParser
import Foundation
import Inference
import Kernels
import Model
import Training

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "A training step's tokens/s and FLOP utilisation, and caption latency, against sgemm's peak.",
        discussion: """
            In one run: sgemm's GFLOP/s on the model's largest GEMM shape, a training step \
            (forward, loss, backward, AdamW update) on a synthetic batch shaped like the bundled \
            mix, split into the recipe's micro-batches as `train` runs it, and captioning latency (prefill of a batch of images, then per decoded token \
            through the KV cache). Medians of repeated runs.

            Examples:
              moe-mm bench train --config configs/tiny.yaml
              moe-mm bench train --config configs/tiny.yaml --checkpoint checkpoints/tiny \\
                --json
            """)

    @Option(help: "A recipe (.yaml) or config.json.") var config: String
    @Option(help: "Time captioning with these trained weights (default: the config's initial weights).") var checkpoint: String?
    @Option(help: "Sequences per training step.") var batch = 16
    @Option(help: "Images per caption call.") var images = 4
    @Option(help: "Tokens to decode per caption.") var tokens = 24
    @Option(help: "Seconds per measurement.") var seconds = 5.0
    @Flag(help: "JSON lines.") var json = false

    func run() throws {
        let c = try loadModelConfig(config)
        var bench = BenchModel()
        bench.config = config
        bench.batch = batch
        bench.seconds = seconds
        bench.json = json
        let peakShape = bench.largestGEMM(c, tokens: bench.synthetic(c, seed: 1).count)
        let peak = bench.gemmGFLOPs(peakShape)
        bench.report(["what": "sgemm peak", "m": peakShape.m, "n": peakShape.n, "k": peakShape.k, "gflops": round2(peak)])

        let parts = try bench.microBatchCount(given: nil)
        let (step, batches) = bench.stepTimings(c, parts: parts, update: true)
        let rate = bench.throughput(c, batches, seconds: step.median)
        bench.report(["what": "training step", "micro_batches": parts, "step_ms": round2(step.median * 1000),
                      "tokens_per_s": round2(rate.tokensPerSecond),
                      "gflops": round2(rate.gflops), "mfu_vs_sgemm": round2(rate.gflops / peak), "runs": step.runs])

        guard let ic = c.image else { return }
        let captioner = try checkpoint.map { try Checkpoint.load(URL(fileURLWithPath: $0)) } ?? MultimodalMoE(c)
        var rng = SplitMix(seed: 3)
        let examples = (0..<images).map { _ in
            Example(image: Tensor(randomNormal: [3, ic.size, ic.size], std: 1, rng: &rng), prompt: [5, 6, 7])
        }
        // Greedy up to `tokens` steps (or <|eos|>); per-token time is decode time over the tokens produced.
        let generator = Generator(model: captioner)
        var prefill = Timings(), perToken = Timings()
        let options = GenerationOptions(maxTokens: tokens)
        _ = try generator.generate(examples, options: options)
        let start = now()
        while prefill.runs < 5 || now() - start < seconds {
            let g = try generator.generate(examples, options: options)[0]
            prefill.add(g.prefillSeconds)
            let decoded = max(g.tokenCount - 1, 1)
            perToken.add(g.decodeSeconds / Double(decoded))
        }
        bench.report(["what": "caption", "images": images, "prefill_ms_p50": round2(prefill.median * 1000),
                      "prefill_ms_p95": round2(prefill.percentile(95) * 1000),
                      "per_token_ms_p50": round2(perToken.median * 1000), "per_token_ms_p95": round2(perToken.percentile(95) * 1000),
                      "runs": prefill.runs])
    }
}
