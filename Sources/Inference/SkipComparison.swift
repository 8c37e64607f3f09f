import Foundation
import Kernels
import Model

/// MoDES against its baselines (`moe-mm bench skip`): at each target skip ratio, α-modulated
/// dual thresholds, top-1 routing and one raw-gate threshold, each measured on the same examples
/// against the unskipped model.
///
/// Quality comes from teacher-forced passes over the evaluation examples (answer-token KL to the
/// unskipped model, cross-entropy) and from the caller's score of greedy generations. The
/// calibration may run on other examples (a validation split), so no method is tuned on what
/// it is scored on. Speed comes from the
/// same generations, timed: every timed run of a method is paired with a run of the unskipped
/// model right beside it (their order alternating by round), and medians are reported, so both
/// sides of each ratio saw the same machine load. α and the threshold grid are calibrated once
/// and shared by all targets; methods that come out identical (top-1 at every target, or two
/// targets landing on one grid point) are measured once.
public struct SkipComparison {
    public struct Options: Sendable {
        /// Target skip ratios, each in [0, 1].
        public var targets: [Double]
        public var grid: GridOptions
        /// Timed runs of each method, each beside one run of the unskipped model.
        public var rounds: Int
        public var generation: GenerationOptions
        /// Examples per `Generator.generate` call.
        public var batchSize: Int

        public init(targets: [Double] = [0.25, 0.5, 0.75], grid: GridOptions = GridOptions(), rounds: Int = 5,
                    generation: GenerationOptions = GenerationOptions(), batchSize: Int = 16) {
            self.targets = targets
            self.grid = grid
            self.rounds = rounds
            self.generation = generation
            self.batchSize = batchSize
        }
    }

    /// Medians over timed runs of generating for every prompt.
    public struct Speed: Codable, Sendable, Equatable {
        /// Wall seconds inside the MoE layers' forwards, all layers, prefill and decoding.
        public var moeSeconds: Double
        /// The prefill's and the decoding steps' parts of `moeSeconds`: a decoding step's few rows
        /// reach most experts whether or not some pairs are skipped, a prefill's many rows do not.
        public var moePrefillSeconds: Double
        public var moeDecodeSeconds: Double
        /// The part of `moeSeconds` inside the expert groups (routing and routed experts): what
        /// skipping can shrink, as the shared experts always run.
        public var routedSeconds: Double
        /// Summed prefill seconds of the generate calls.
        public var prefillSeconds: Double
        /// Decoding seconds per token fed through a decoding step (batched, all calls).
        public var decodeSecondsPerToken: Double
        /// Routed-expert rows the MoE layers computed (the same in every run).
        public var computedRows: Int
        /// Shared-expert rows (every token once per shared expert; the same for every method).
        public var sharedRows: Int
        /// Routed experts run over all forwards (`MoELayer.Usage.expertRuns`; the same in every run).
        public var expertRuns: Int
    }

    /// One method at one target.
    public struct Row: Codable, Sendable {
        /// nil for the unskipped model.
        public var target: Double?
        /// "none", "modes", "top-1" or "gate-threshold".
        public var method: String
        /// Teacher-forced on the evaluation examples: skip ratio, answer KL and cross-entropy.
        public var measurement: Measurement
        /// 1 − computed/routed rows over the generations (routed: what the groups' own top-k selects).
        public var generationSkipRatio: Double
        /// The same for text tokens alone (all a decoding step feeds).
        public var generationTextSkipRatio: Double
        /// The caller's score of this method's generations.
        public var quality: Double?
        public var speed: Speed
        /// The unskipped model's runs beside this method's.
        public var unskippedSpeed: Speed
        /// How many times faster than the unskipped model: the median over rounds of each pair's
        /// ratio (unskipped run over this method's run beside it), so load that changes between
        /// rounds cancels within each pair instead of landing on one side of a ratio of medians.
        public var speedup: Speedup
        /// MoDES only: thresholds [text, image, audio] and the frontier walk's passes.
        public var tau: [Float]?
        public var passes: Int?

        /// The MoE layers' speed-up if their time were the expert rows they compute (shared rows
        /// plus kept routed rows): what skipping can give at most, routing and gathers free.
        public var workBound: Double {
            Double(unskippedSpeed.sharedRows + unskippedSpeed.computedRows) / Double(max(speed.sharedRows + speed.computedRows, 1))
        }

        /// How many times fewer routed experts ran than in the unskipped model. A decoding step's
        /// few rows make an expert's cost mostly its weight reads, so leaving out pairs saves
        /// there only where an expert is left with no rows at all.
        public var expertRunRatio: Double { Double(unskippedSpeed.expertRuns) / Double(max(speed.expertRuns, 1)) }
    }

    public struct Speedup: Codable, Sendable, Equatable {
        public var moe: Double, moePrefill: Double, moeDecode: Double, routed: Double, prefill: Double, decode: Double
    }

    public struct Result: Sendable {
        /// [MoE layer][text, image, audio], shared by every target.
        public var alpha: [[Float]]
        public var grid: ThresholdGrid
        /// The unskipped model first, then modes, top-1 and gate-threshold per target, in order.
        public var rows: [Row]
    }

    /// Runs the comparison. `calibration` holds the examples α, the grid, the thresholds and the
    /// gate quantiles come from; `evaluation` (by default the same) the teacher-forced examples
    /// every method's skip ratio, KL and cross-entropy are measured on, for the same model.
    /// `prompts` are what is generated and timed (their targets are ignored); `score` rates one
    /// method's generations (in `prompts` order), or returns nil when there is nothing to rate.
    public static func run(_ calibration: Calibration, evaluation: Calibration? = nil, prompts: [Example], options: Options,
                           score: ([Generation]) throws -> Double?) throws -> Result {
        let evaluation = evaluation ?? calibration
        guard evaluation.model === calibration.model else { throw CalibrationError("calibration and evaluation use different models") }
        guard !options.targets.isEmpty else { throw CalibrationError("give at least one target skip ratio") }
        for t in options.targets { try SkipGoal.skipAtLeast(t).validate() }
        guard options.rounds >= 1 else { throw CalibrationError("timed rounds must be at least 1, got \(options.rounds)") }
        guard options.batchSize >= 1 else { throw CalibrationError("generation batch size must be at least 1, got \(options.batchSize)") }
        guard !prompts.isEmpty else { throw CalibrationError("the comparison needs at least one prompt to generate for") }
        let g = options.grid
        guard g.textPoints >= 2 && g.mediaPoints >= 2 else {
            throw CalibrationError("threshold grids need at least 2 points per axis, got \(g.textPoints) and \(g.mediaPoints)")
        }

        let alpha = calibration.importance()
        let grid = ThresholdGrid(scores: calibration.scores(alpha: alpha), textPoints: g.textPoints,
                                 mediaPoints: g.mediaPoints, splitMedia: g.splitMedia)
        // Per target: MoDES at its frontier choice, top-1, the gate threshold.
        var planned: [(target: Double, setup: SkipSetup, tau: [Float]?, passes: Int?)] = []
        for target in options.targets {
            let (chosen, walk) = try calibration.search(.skipAtLeast(target), alpha: alpha, grid: grid)
            let tau = grid.tau(text: chosen.textIndex, media: chosen.mediaIndex)
            planned.append((target, SkipSetup(name: "modes", rules: alpha.map { SkipRule(alpha: $0, tau: tau) }), tau, walk.count))
            planned.append((target, calibration.topOneSetup(), nil, nil))
            planned.append((target, try calibration.gateThresholdSetup(targetSkip: target), nil, nil))
        }
        let none = SkipSetup.unskipped(layers: calibration.model.moeLayers.count)
        var distinct = [none]
        for p in planned where !distinct.contains(p.setup) { distinct.append(p.setup) }

        let model = calibration.model, bench = GenerationBench(model: model, prompts: prompts, options: options)
        // Put back whatever skipping the model had before.
        let installed = model.moeLayers.map { ($0.skip, $0.topKOverride) }
        defer { for (layer, s) in zip(model.moeLayers, installed) { (layer.skip, layer.topKOverride) = s } }
        var measured: [Measurement] = [], generated: [GenerationBench.Run] = [], quality: [Double?] = []
        for setup in distinct {
            measured.append(setup == none ? evaluation.unskipped : evaluation.measure(setup))
            // The first run warms caches and allocations; its generations are the ones scored.
            let run = try bench.run(setup)
            generated.append(run)
            quality.append(try score(run.generations))
        }
        var timed = [[GenerationBench.Run]](repeating: [], count: distinct.count)
        var beside = [[GenerationBench.Run]](repeating: [], count: distinct.count)
        for round in 0..<options.rounds {
            for s in distinct.indices.dropFirst() {
                if round % 2 == 0 {
                    beside[s].append(try bench.run(none))
                    timed[s].append(try bench.run(distinct[s]))
                } else {
                    timed[s].append(try bench.run(distinct[s]))
                    beside[s].append(try bench.run(none))
                }
            }
        }
        // The unskipped row's own speed: every unskipped run of the session (top-1 always
        // differs from it, so there is at least one round of pairs).
        let allNone = beside.dropFirst().flatMap { $0 }
        timed[0] = allNone
        beside[0] = allNone

        func row(_ s: Int, target: Double?, tau: [Float]?, passes: Int?) -> Row {
            let first = generated[s]
            func left(out computed: Int, of routed: Int) -> Double { routed == 0 ? 0 : 1 - Double(computed) / Double(routed) }
            return Row(target: target, method: distinct[s].name, measurement: measured[s],
                       generationSkipRatio: left(out: first.computedRows, of: first.routedRows),
                       generationTextSkipRatio: left(out: first.computedTextRows, of: first.routedTextRows),
                       quality: quality[s], speed: GenerationBench.median(timed[s]),
                       unskippedSpeed: GenerationBench.median(beside[s]),
                       speedup: GenerationBench.pairedSpeedup(unskipped: beside[s], skipped: timed[s]), tau: tau, passes: passes)
        }
        var rows = [row(0, target: nil, tau: nil, passes: nil)]
        for p in planned {
            rows.append(row(distinct.firstIndex(of: p.setup)!, target: p.target, tau: p.tau, passes: p.passes))
        }
        return Result(alpha: alpha, grid: grid, rows: rows)
    }
}

/// Generates for every prompt under one skip setup and records what it cost.
struct GenerationBench {
    let model: MultimodalMoE
    let prompts: [Example]
    let options: SkipComparison.Options
    let generator: Generator

    init(model: MultimodalMoE, prompts: [Example], options: SkipComparison.Options) {
        self.model = model
        self.prompts = prompts
        self.options = options
        generator = Generator(model: model)
    }

    struct Run {
        var generations: [Generation] = []
        var moeSeconds = 0.0
        var moePrefillSeconds = 0.0
        var moeDecodeSeconds = 0.0
        var routedSeconds = 0.0
        var prefillSeconds = 0.0
        var decodeSeconds = 0.0
        var fedTokens = 0
        var sharedRows = 0
        var computedRows = 0
        var routedRows = 0
        var computedTextRows = 0
        var routedTextRows = 0
        var expertRuns = 0

        var decodeSecondsPerToken: Double { decodeSeconds / Double(max(fedTokens, 1)) }
    }

    func run(_ setup: SkipSetup) throws -> Run {
        setup.install(into: model)
        for layer in model.moeLayers { layer.resetUsage() }
        var run = Run()
        for start in stride(from: 0, to: prompts.count, by: options.batchSize) {
            let batch = try generator.generate(Array(prompts[start..<min(start + options.batchSize, prompts.count)]),
                                               options: options.generation)
            // Timings belong to the whole call, so every generation of a batch carries the same.
            run.prefillSeconds += batch[0].prefillSeconds
            run.decodeSeconds += batch[0].decodeSeconds
            run.moePrefillSeconds += batch[0].prefillMoESeconds
            run.moeDecodeSeconds += batch[0].decodeMoESeconds
            // Every produced token but each example's last is fed back through a decoding step.
            run.fedTokens += batch.reduce(0) { $0 + $1.tokenCount - 1 }
            run.generations += batch
        }
        for layer in model.moeLayers {
            run.moeSeconds += layer.usage.seconds
            run.routedSeconds += layer.usage.routedSeconds
            run.sharedRows += layer.usage.sharedRows
            run.computedRows += layer.usage.computedRows
            run.routedRows += layer.usage.routedRows
            run.computedTextRows += layer.usage.computedTextRows
            run.routedTextRows += layer.usage.routedTextRows
            run.expertRuns += layer.usage.expertRuns
        }
        return run
    }

    static func median(_ values: [Double]) -> Double {
        var t = Timings()
        for v in values { t.add(v) }
        return t.median
    }

    static func median(_ runs: [Run]) -> SkipComparison.Speed {
        return SkipComparison.Speed(moeSeconds: median(runs.map(\.moeSeconds)), moePrefillSeconds: median(runs.map(\.moePrefillSeconds)),
                                    moeDecodeSeconds: median(runs.map(\.moeDecodeSeconds)), routedSeconds: median(runs.map(\.routedSeconds)),
                                    prefillSeconds: median(runs.map(\.prefillSeconds)),
                                    decodeSecondsPerToken: median(runs.map(\.decodeSecondsPerToken)),
                                    computedRows: runs.first?.computedRows ?? 0, sharedRows: runs.first?.sharedRows ?? 0,
                                    expertRuns: runs.first?.expertRuns ?? 0)
    }

    /// Medians of the per-pair ratios `unskipped[i] / skipped[i]`.
    static func pairedSpeedup(unskipped: [Run], skipped: [Run]) -> SkipComparison.Speedup {
        precondition(unskipped.count == skipped.count, "\(unskipped.count) unskipped runs for \(skipped.count) paired ones")
        func ratio(_ time: (Run) -> Double) -> Double { median(zip(unskipped, skipped).map { time($0) / time($1) }) }
        return SkipComparison.Speedup(moe: ratio(\.moeSeconds), moePrefill: ratio(\.moePrefillSeconds),
                                      moeDecode: ratio(\.moeDecodeSeconds), routed: ratio(\.routedSeconds), prefill: ratio(\.prefillSeconds),
                                      decode: ratio(\.decodeSecondsPerToken))
    }
}
