import ArgumentParser
import Evaluation
import Foundation
import Inference
import Inputs
import Kernels
import Model
import Training

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a multimodal MoE from a recipe on dataset manifests.",
        discussion: """
            The recipe (YAML) names the model, the data mix, the optimiser, the schedule, the \
            loss weights, the evaluation and checkpoint cadence, and the seed. The run folder gets \
            step-NNNNNN/ checkpoints (the last few), best/ (lowest validation loss), the latest \
            model files themselves, and metrics.jsonl. Ctrl-C saves a checkpoint and exits; \
            --resume continues bit for bit from the newest step-NNNNNN/.

            --steps N runs the recipe's schedule compressed to N steps (the cosine over N, warm-up \
            min(recipe's, N/10), as many evaluations and checkpoints as the recipe has), so a short \
            comparison run finishes its schedule; a resumed run must use the recipe and --steps it \
            started with.

            Examples:
              moe-mm train --config configs/tiny.yaml
              moe-mm train --config configs/tiny.yaml --max-steps 200 --out runs/try
              moe-mm train --config configs/tiny.yaml --steps 3000 --out runs/short
              moe-mm train --config configs/tiny.yaml --resume
              moe-mm train --config configs/tiny.yaml --manifest my-data/train.jsonl
            """)

    @Option(help: "The training recipe (YAML).")
    var config: String

    @Option(help: "Train on this manifest alone instead of the recipe's mix.")
    var manifest: String?

    @Option(help: "The run folder (default: the recipe's `out`).")
    var out: String?

    @Flag(help: "Continue the run in the run folder from its newest checkpoint.")
    var resume = false

    @Option(help: "Stop after this step (the schedule still spans the recipe's steps, or --steps).")
    var maxSteps: Int?

    @Option(help: "Run the recipe's whole schedule compressed to this many steps.")
    var steps: Int?

    func validate() throws {
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
    }

    func run() throws {
        var recipe = try Recipe.load(URL(fileURLWithPath: config))
        if let steps { recipe = try recipe.compressed(toSteps: steps) }
        if let manifest { recipe.data.train = [ManifestWeight(manifest: manifest, weight: 1)] }
        let runDir = URL(fileURLWithPath: out ?? recipe.out)
        let existing = try Trainer.stepDirectories(runDir)
        let resumeFrom = existing.last
        if resume && resumeFrom == nil { throw ValidationError("\(runDir.path): no step-NNNNNN/ checkpoint to resume from") }
        if !resume && resumeFrom != nil {
            throw ValidationError("\(runDir.path) already holds a run; pass --resume to continue it or --out for a new folder")
        }

        let train = try recipe.data.train.map { try readManifest($0.manifest, skipBad: recipe.data.skipBadSamples) }
        let tokenizer = try resolveTokenizer(recipe, resumeFrom: resume ? resumeFrom : nil, train: train)
        let model: MultimodalMoE
        if resume, let dir = resumeFrom {
            model = try Checkpoint.load(dir)
            guard model.config == withTokens(recipe.model, tokenizer) else {
                throw ValidationError("\(dir.path): its config.json differs from the recipe's model; resume with the recipe it was trained with")
            }
        } else {
            model = MultimodalMoE(withTokens(recipe.model, tokenizer))
        }
        recipe.model = model.config
        let builder = ExampleBuilder(config: model.config, tokenizer: tokenizer)

        var state: TrainerState?
        var optimizer: AdamW?
        if resume, let dir = resumeFrom {
            let o = recipe.optimizer
            let opt = AdamW(model.parameters, beta1: o.betas[0], beta2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay)
            state = try TrainerState.load(from: dir, into: opt)
            try checkSameRecipe(state!, recipe, dir)
            optimizer = opt
            print("resuming from \(dir.path) at step \(state!.step)")
        }
        let loader = DataLoader(
            sources: zip(recipe.data.train, train).map { .init(name: $0.manifest, count: $1.samples.count, weight: $0.weight) },
            batchSize: recipe.data.batchSize, seed: recipe.seed, config: model.config, skipBad: recipe.data.skipBadSamples,
            position: state?.data
        ) { s, i in
            let sample = train[s].samples[i]
            return ("\(train[s].url.lastPathComponent):\(sample.line)", try builder.example(sample))
        }
        let validation = try validationSet(recipe, builder: builder)
        let trainer = try Trainer(recipe: recipe, model: model, loader: loader, validation: validation.batches,
                                  tokenizerJSON: Data(tokenizer.jsonBytes()), runDir: runDir, state: state, optimizer: optimizer,
                                  interactive: isatty(STDERR_FILENO) == 1)
        trainer.generation = GenerationDefaults(mostCommonPromptsOf: train.flatMap(\.samples))
        trainer.evaluate = { model in quickScores(model, builder: builder, samples: validation.captions) }

        let counts = zip(recipe.data.train, train).map { "\($1.samples.count) from \($0.manifest)" }.joined(separator: ", ")
        print("training \(String(format: "%.2f", Double(Accounting(model.config).total) / 1e6))M parameters on \(counts)")
        print("run folder \(runDir.path); metrics in \(runDir.appendingPathComponent("metrics.jsonl").path)")
        StopSignal.install()
        try trainer.run(until: maxSteps, shouldStop: { StopSignal.requested })
        print("checkpoint: \(runDir.path)  (best validation: \(runDir.appendingPathComponent("best").path))")
        if trainer.state.skippedSamples > 0 { print("skipped \(trainer.state.skippedSamples) unreadable samples") }
    }

    /// A resumed run continues only with the recipe (and --steps) it started with, or its
    /// schedule would change mid-run.
    func checkSameRecipe(_ state: TrainerState, _ recipe: Recipe, _ dir: URL) throws {
        guard let trained = state.recipe else {
            if steps == nil { return }
            throw ValidationError("\(dir.path): its trainer_state.json does not record the recipe it was trained with, so --steps cannot be checked against it; resume without --steps")
        }
        let parts = recipe.differences(from: trained)
        guard !parts.isEmpty else { return }
        let schedule = parts.contains("schedule")
            ? " (it trains for \(trained.schedule.steps) steps, this would be \(recipe.schedule.steps))" : ""
        throw ValidationError("\(dir.path): the run was trained with a different recipe: \(parts.joined(separator: ", ")) differ\(schedule); resume with the --config and --steps it started with")
    }

    func readManifest(_ path: String, skipBad: Bool) throws -> Manifest {
        let m = try Manifest(contentsOf: URL(fileURLWithPath: path), skipBadLines: skipBad)
        for problem in m.skipped { print("skipped \(problem)") }
        return m
    }

    /// The recipe's tokenizer file, the resumed run's, or one trained on the training text.
    func resolveTokenizer(_ recipe: Recipe, resumeFrom: URL?, train: [Manifest]) throws -> BPETokenizer {
        if let dir = resumeFrom { return try BPETokenizer(contentsOf: dir.appendingPathComponent(Checkpoint.tokenizerFile)) }
        if let path = recipe.tokenizer.path { return try BPETokenizer(contentsOf: URL(fileURLWithPath: path)) }
        var trainer = try BPETrainer(vocabSize: recipe.tokenizer.vocabSize)
        for m in train { for s in m.samples { trainer.add(contentsOf: [s.prompt] + s.references + [s.text].compactMap { $0 }) } }
        let tokenizer = trainer.train()
        print("trained a byte-level BPE tokenizer: \(tokenizer.vocabSize) tokens")
        return tokenizer
    }

    func withTokens(_ config: ModelConfig, _ tokenizer: BPETokenizer) -> ModelConfig {
        var c = config
        if let bos = try? tokenizer.id(for: .bos) { c.bosTokenId = Int32(bos) }
        if let eos = try? tokenizer.id(for: .eos) { c.eosTokenId = Int32(eos) }
        return c
    }

    /// The first `eval.samples` validation samples (in manifest order): their loss batches, and the
    /// image-caption ones for a quick CIDEr-D.
    func validationSet(_ recipe: Recipe, builder: ExampleBuilder) throws -> (batches: [Batch], captions: [Sample]) {
        let perManifest = recipe.data.val.isEmpty ? 0 : recipe.eval.samples / recipe.data.val.count
        let samples = try recipe.data.val.flatMap { try readManifest($0, skipBad: true).samples.prefix(perManifest) }
        let examples = try samples.map { try builder.example($0) }
        let batches = stride(from: 0, to: examples.count, by: recipe.data.batchSize).map {
            Batch(Array(examples[$0..<min($0 + recipe.data.batchSize, examples.count)]), config: builder.config)
        }
        return (batches, samples.filter { $0.image != nil && $0.audio == nil && ($0.task ?? "caption") == "caption" })
    }
}

/// Greedy captions for the validation images, scored with CIDEr-D and BLEU-4 against their
/// references, and with object-name accuracy when the samples carry scenes (a malformed scene
/// just leaves its sample out of that number).
func quickScores(_ model: MultimodalMoE, builder: ExampleBuilder, samples: [Sample]) -> [String: Double] {
    guard !samples.isEmpty,
          let examples = try? samples.map({ try builder.example($0, withTarget: false) }),
          let generations = try? Generator(model: model).generate(examples, options: GenerationOptions())
    else { return [:] }
    let items = zip(samples, generations).map { sample, g in
        TaskScoring.Item(id: sample.id, prediction: builder.text(g.tokens), references: sample.references,
                         scene: (try? SceneLayout.of(sample)) ?? nil)
    }
    guard let scores = try? TaskScoring.score(.caption, items), let cider = scores[.ciderD], let bleu4 = scores[.bleu4] else { return [:] }
    var out = ["val_cider_d": cider, "val_bleu4": bleu4]
    if let objects = scores[.objectAccuracy] { out["val_object_accuracy"] = objects }
    return out
}

/// SIGINT and SIGTERM ask the training loop to save and stop at the next step boundary.
enum StopSignal {
    nonisolated(unsafe) static var requested = false

    static func install() {
        signal(SIGINT) { _ in StopSignal.requested = true }
        signal(SIGTERM) { _ in StopSignal.requested = true }
    }
}
