import Inputs
import Kernels
@testable import Model
import Testing

/// How an expert group hands its gathered rows to the experts: split over the cores by rows.
@Suite struct ExpertDispatchTests {
    @Test func balancedRunsCutWhereTheRowsAreHalvedNotTheExperts() {
        // Rows per expert 100, 0, 0, 10, 10, 10, 10, 60: half the 200 rows is expert 0 alone.
        let offsets = [0, 100, 100, 100, 110, 120, 130, 140, 200]
        let runs = balancedRuns(offsets: offsets, parts: 2)
        let rows = runs.map { offsets[$0.upperBound] - offsets[$0.lowerBound] }
        #expect(runs.count == 2 && runs[0].lowerBound == 0 && runs[0].upperBound == runs[1].lowerBound && runs[1].upperBound == 8
                && rows == [100, 100], "runs \(runs) with rows \(rows), expected two runs tiling 0..<8 with 100 rows each")
        #expect(balancedRuns(offsets: offsets, parts: 1) == [0..<8], "one part: \(balancedRuns(offsets: offsets, parts: 1))")
        let three = balancedRuns(offsets: offsets, parts: 3)
        #expect(three.first?.lowerBound == 0 && three.last?.upperBound == 8
                && zip(three, three.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound },
                "three runs \(three) do not tile 0..<8")
    }

    /// A small layer (d 16; 1 shared expert, text 4 and media 6 routed experts, top-2) with large
    /// weights, so that rounding differences would show.
    static func layer(seed: UInt64) -> MoELayer {
        let config = MoEConfig(expertHidden: 8, shared: 1,
                               groups: [ExpertGroupConfig(name: "text", modalities: [.text], experts: 4, topK: 2),
                                        ExpertGroupConfig(name: "media", modalities: [.image, .audio], experts: 6, topK: 2)])
        var weights = WeightInit.random(seed: seed)
        return MoELayer(prefix: "moe", config: config, d: 16, moeLayers: 1, std: 0.5, outStd: 0.5, weights: &weights)
    }

    /// Enough rows that the experts are split over the cores; inside `withoutParallelism` the same
    /// forward runs them one after the other on the caller. Every expert's GEMMs are single-threaded
    /// either way, so not one bit may differ.
    @Test func splittingExpertsOverCoresChangesNoBit() {
        var rng = SplitMix(seed: 3)
        let layer = Self.layer(seed: 3)
        let rows = 2 * ExpertGroup.parallelRows * Cores.count
        let x = Tensor(randomNormal: [rows, 16], std: 1, rng: &rng)
        let modality = (0..<rows).map { Modality(rawValue: $0 % 3)! }
        let split = layer.forward(x, modality: modality).array
        let alone = withoutParallelism { layer.forward(x, modality: modality).array }
        let differing = zip(split, alone).filter { $0.0.bitPattern != $0.1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(split.count) outputs differ between split and one-thread dispatch")
    }

    /// An inference forward runs every expert (shared and routed) through one scratch block and
    /// keeps nothing for backward; the products are the same calls on the same rows, so its
    /// output is the training forward's, bit for bit, decoding-sized (a few rows) or not.
    @Test func inferenceForwardKeepsNothingAndMatchesTrainingForward() {
        var rng = SplitMix(seed: 5)
        let layer = Self.layer(seed: 5)
        for rows in [3, 16, 2 * ExpertGroup.parallelRows * Cores.count] {
            let x = Tensor(randomNormal: [rows, 16], std: 1, rng: &rng)
            let modality = (0..<rows).map { Modality(rawValue: $0 % 3)! }
            layer.computesLosses = true
            let training = layer.forward(x, modality: modality).array
            let kept = layer.groups.map { $0.last!.saved.compactMap { $0 }.count }
            layer.computesLosses = false
            let inference = layer.forward(x, modality: modality).array
            let keptAfter = layer.groups.map { $0.last!.saved.compactMap { $0 }.count }
            let differing = zip(training, inference).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(differing == 0, "\(rows) rows: \(differing) of \(training.count) outputs differ between the training and inference forwards")
            #expect(kept.allSatisfy { $0 > 0 } && keptAfter.allSatisfy { $0 == 0 },
                    "\(rows) rows: experts with kept activations per group \(kept) after training, \(keptAfter) after inference (expected none)")
        }
    }

    /// `Usage.expertRuns` counts, per forward and group, the experts whose kept pairs gave them at
    /// least one row: a skip rule lowers it only where it takes an expert's last row.
    @Test func expertRunsCountExpertsLeftWithRows() {
        var rng = SplitMix(seed: 7)
        let layer = Self.layer(seed: 7)
        for (tau, rows) in [(-Float.infinity, 3), (0.3, 3), (0.3, 40), (Float.infinity, 40)] {
            let x = Tensor(randomNormal: [rows, 16], std: 1, rng: &rng)
            let modality = (0..<rows).map { Modality(rawValue: $0 % 3)! }
            layer.skip = SkipRule(alpha: [1, 1, 1], tau: [tau, tau, tau])
            layer.resetUsage()
            _ = layer.forward(x, modality: modality)
            let expected = layer.groups.reduce(0) { total, g in
                let r = g.last!
                return total + Set(r.selected.indices.filter { !r.skipped[$0] }.map { r.selected[$0] }).count
            }
            #expect(layer.usage.expertRuns == expected,
                    "τ \(tau), \(rows) rows: \(layer.usage.expertRuns) expert runs counted, \(expected) experts have kept pairs")
            if tau == .infinity { #expect(expected == 0, "τ ∞ left \(expected) experts with rows") }
            if tau == -.infinity { #expect(expected > 2, "no skipping ran only \(expected) experts on \(rows) rows") }
        }
    }
}
