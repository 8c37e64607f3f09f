import Model

/// The baselines MoDES is compared with, as `SkipSetup`s that `Calibration.measure` evaluates
/// exactly like calibrated thresholds.
extension Calibration {
    /// Baseline (a): every token routed to one expert per group instead of the group's top-k.
    /// Its skip ratio is fixed by the architecture (1 − 1/k for a single group).
    public func topOneSetup() -> SkipSetup {
        SkipSetup(name: "top-1", rules: Array(repeating: nil, count: model.moeLayers.count), topK: 1)
    }

    /// Baseline (b): one threshold on the raw gate for every layer and modality (α = 1, no
    /// modality split), at the quantile of the unskipped pass's gates that leaves out at least
    /// `targetSkip` of them.
    public func gateThresholdSetup(targetSkip: Double) throws -> SkipSetup {
        try SkipGoal.skipAtLeast(targetSkip).validate()
        let pooled = gates.flatMap { $0.flatMap { $0 } }.sorted()
        let t = ThresholdGrid.threshold(pooled, below: Int((targetSkip * Double(pooled.count)).rounded(.up)))
        return SkipSetup(name: "gate-threshold",
                         rules: Array(repeating: SkipRule(alpha: [1, 1, 1], tau: [t, t, t]), count: model.moeLayers.count))
    }

    /// Every method at one target skip ratio, ready for `measure`: MoDES (calibrated α and
    /// per-modality thresholds), top-1, and the single gate threshold. Also returns the MoDES
    /// calibration, to write as `skipping.json`.
    public func comparison(targetSkip: Double, grid: GridOptions = GridOptions()) throws
        -> (modes: SkippingFile, setups: [SkipSetup]) {
        let modes = try calibrate(.skipAtLeast(targetSkip), grid: grid)
        return (modes, [SkipSetup(name: "modes", rules: try modes.rules()), topOneSetup(),
                        try gateThresholdSetup(targetSkip: targetSkip)])
    }
}
