import Foundation
import Inputs
import Kernels
import Model

/// The training loop: warm-up + cosine schedule, gradient accumulation, global-norm clipping,
/// AdamW (no decay on norms and biases), loss-free bias updates when on, periodic validation,
/// metrics, and checkpoints that resume bit for bit.
public final class Trainer {
    public let recipe: Recipe
    public let model: MultimodalMoE
    /// The step's micro-batches, each on its own copy of `model`, run concurrently.
    let microBatches: MicroBatches
    public let optimizer: AdamW
    let loader: DataLoader
    let validation: [Batch]
    let tokenizerJSON: Data
    /// The prompts the run trained with, saved with every checkpoint for generation.
    public var generation = GenerationDefaults()
    let runDir: URL
    let log: MetricsLog
    /// Extra validation numbers computed outside this module (e.g. a quick caption score).
    public var evaluate: ((MultimodalMoE) -> [String: Double])?
    public private(set) var state: TrainerState

    public init(recipe: Recipe, model: MultimodalMoE, loader: DataLoader, validation: [Batch],
                tokenizerJSON: Data, runDir: URL, state: TrainerState? = nil, optimizer: AdamW? = nil, interactive: Bool) throws {
        self.recipe = recipe
        self.model = model
        microBatches = MicroBatches(model: model, count: recipe.optimizer.accumulation)
        self.loader = loader
        self.validation = validation
        self.tokenizerJSON = tokenizerJSON
        self.runDir = runDir
        let o = recipe.optimizer
        self.optimizer = optimizer ?? AdamW(model.parameters, beta1: o.betas[0], beta2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay)
        self.state = state ?? TrainerState(step: 0, data: loader.position0, bestValidationLoss: nil, skippedSamples: 0)
        self.state.recipe = recipe
        try FileManager.default.createDirectory(at: runDir, withIntermediateDirectories: true)
        log = try MetricsLog(url: runDir.appendingPathComponent("metrics.jsonl"), interactive: interactive,
                             truncateAfter: self.state.step)
    }

    /// When this process started training, and the run's wall seconds before it (a resumed run's).
    private var clock = (start: now(), before: 0.0)

    /// Wall seconds the run has spent so far, over all its processes.
    var elapsed: Double { clock.before + now() - clock.start }

    var schedule: LRSchedule {
        LRSchedule(peak: recipe.optimizer.lr, warmup: recipe.schedule.warmup, total: recipe.schedule.steps,
                   minRatio: recipe.schedule.minLRRatio)
    }

    /// Trains until `steps` (the recipe's by default) or until `shouldStop` turns true (a signal),
    /// checkpointing on the recipe's cadence and at the end.
    public func run(until steps: Int? = nil, shouldStop: () -> Bool = { false }) throws {
        // With a micro-batch per core the micro-batches own the cores, so OpenBLAS stays on one
        // thread for the whole run. Otherwise a GEMM between their parallel sections (the loader
        // thread's log-mel) runs on two threads and leaves OpenBLAS's worker spinning in
        // sched_yield: 15% of the CPU samples of 300 training steps (perf), CPU time that the
        // step time did not show here but another process on the machine would miss.
        let threads = microBatches.replicas.count >= Cores.count ? 1 : Cores.count
        try Cores.withBLASThreads(threads) { try runSteps(until: steps, shouldStop: shouldStop) }
    }

    private func runSteps(until steps: Int?, shouldStop: () -> Bool) throws {
        let last = min(steps ?? recipe.schedule.steps, recipe.schedule.steps)
        let accumulation = recipe.optimizer.accumulation
        let started = now()
        clock = (started, state.elapsedSeconds ?? 0)
        let startStep = state.step
        while state.step < last {
            if shouldStop() { log.note("stopping at step \(state.step): saving a checkpoint"); break }
            let t0 = now()
            let lr = schedule.rate(at: state.step)
            let micro = try (0..<accumulation).map { _ in try loader.next() }
            let losses = microBatches.forwardBackward(micro.map(\.batch))
            var loss = MultimodalMoE.Loss(lm: 0, balance: 0, kl: 0, targets: 0)
            var tokens = 0
            var modalityTokens = [Int](repeating: 0, count: Modality.allCases.count), earlierPositions = 0
            var loads: [[[Int]]] = model.moeLayers.map { $0.groups.map { Array(repeating: 0, count: $0.expertCount) } }
            for (prepared, (l, copy)) in zip(micro, zip(losses, microBatches.replicas)) {
                guard l.total.isFinite else {
                    throw TrainingError("non-finite loss (\(l.total)) at step \(state.step + 1) on samples \(prepared.ids.joined(separator: ", ")); the last checkpoint in \(runDir.path) is kept")
                }
                loss.lm += l.lm / Double(accumulation)
                loss.balance += l.balance / Double(accumulation)
                loss.kl += l.kl / Double(accumulation)
                loss.targets += l.targets
                tokens += prepared.batch.count
                for m in prepared.batch.modality { modalityTokens[m.rawValue] += 1 }
                // Each position attends to the earlier ones of its own sample: 0 + 1 + ... + (L − 1).
                earlierPositions += prepared.batch.segments.reduce(0) { $0 + $1.length * ($1.length - 1) / 2 }
                state.skippedSamples += prepared.skipped.count
                for s in prepared.skipped { log.note("skipped a sample: \(s)") }
                for (i, layer) in copy.moeLayers.enumerated() {
                    for (g, group) in layer.groups.enumerated() { for (e, n) in group.lastLoad.enumerated() { loads[i][g][e] += n } }
                }
            }
            let position = micro.last!.position
            let gradNorm = clipGradients(max: recipe.optimizer.gradClip)
            guard gradNorm.isFinite else {
                throw TrainingError("non-finite gradient norm at step \(state.step + 1); the last checkpoint in \(runDir.path) is kept")
            }
            optimizer.update(lr: lr)
            if let rate = recipe.model.moe?.biasUpdateRate, rate > 0 {
                for (layer, l) in zip(model.moeLayers, loads) { layer.updateSelectionBias(rate: rate, loads: l) }
            }
            microBatches.synchronize()
            state.step += 1
            state.data = position

            let seconds = now() - t0
            let done = state.step - startStep
            let eta = (now() - started) / Double(done) * Double(last - state.step)
            let counts = Dictionary(uniqueKeysWithValues: Modality.allCases.map { ($0.description, modalityTokens[$0.rawValue]) })
            log.step(state.step, of: last, loss: loss, lr: lr, gradNorm: gradNorm, tokensPerSecond: Double(tokens) / seconds,
                     tokens: counts, meanContext: Double(earlierPositions) / Double(max(tokens, 1)), elapsed: elapsed,
                     eta: eta, routing: routingSummary(loads))

            let isLast = state.step == last
            if state.step % recipe.eval.every == 0 || isLast { try validate() }
            if state.step % recipe.checkpoint.every == 0 || isLast { try saveCheckpoint() }
        }
        if state.step < last { try saveCheckpoint() }
        log.finish()
    }

    /// Scales all gradients so their global L2 norm is at most `max` (0: no clipping); returns the norm before.
    func clipGradients(max limit: Float) -> Float {
        let norm = model.parameters.reduce(Float(0)) { $0 + sumOfSquares($1.grad) }.squareRoot()
        if limit > 0 && norm > limit {
            for p in model.parameters { scale(p.grad.data, limit / norm, p.grad.count) }
        }
        return norm
    }

    /// Mean loss over the validation batches (no gradient), plus the external evaluation.
    public func validate() throws {
        guard !validation.isEmpty else { return }
        var lm = 0.0, targets = 0
        for batch in validation {
            let l = model.loss(batch, gradScale: 0)
            lm += l.lm * Double(l.targets)
            targets += l.targets
        }
        let loss = lm / Double(max(targets, 1))
        var extra = evaluate?(model) ?? [:]
        extra["val_loss"] = loss
        log.validation(state.step, extra)
        if state.bestValidationLoss.map({ loss < $0 }) ?? true {
            state.bestValidationLoss = loss
            try Checkpoint.writeDirectory(runDir.appendingPathComponent("best")) { dir in
                try Checkpoint.save(model, tokenizerJSON: tokenizerJSON, generation: generation, to: dir)
            }
        }
    }

    /// Writes `step-NNNNNN/` (complete or not at all), keeps the last few, and refreshes the
    /// run folder's own model files, which `caption` and `evaluate` read.
    public func saveCheckpoint() throws {
        let name = String(format: "step-%06d", state.step)
        state.elapsedSeconds = elapsed
        try Checkpoint.writeDirectory(runDir.appendingPathComponent(name)) { dir in
            try Checkpoint.save(model, tokenizerJSON: tokenizerJSON, generation: generation, to: dir)
            try state.save(optimizer: optimizer, to: dir)
        }
        try Checkpoint.save(model, tokenizerJSON: tokenizerJSON, generation: generation, to: runDir)
        let old = try Trainer.stepDirectories(runDir).dropLast(recipe.checkpoint.keep)
        for dir in old { try? FileManager.default.removeItem(at: dir) }
        log.note("checkpoint \(runDir.appendingPathComponent(name).path)")
    }

    /// The run's `step-*` directories, oldest first.
    public static func stepDirectories(_ runDir: URL) throws -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runDir.path)) ?? []
        return names.filter { $0.hasPrefix("step-") }.sorted().map { runDir.appendingPathComponent($0) }
    }

    func routingSummary(_ loads: [[[Int]]]) -> [String: Any] {
        var load: [String: [Int]] = [:], kl: [String: Double] = [:]
        for (layerIndex, (layer, l)) in zip(model.moeLayers, loads).enumerated() {
            for (g, group) in layer.groups.enumerated() { load["\(layerIndex).\(group.name)"] = l[g] }
            for pair in layer.pairKL { kl["\(layerIndex).\(pair.group).\(pair.a)-\(pair.b)"] = Double(pair.divergence) }
        }
        return ["expert_load": load, "pair_kl": kl]
    }
}
