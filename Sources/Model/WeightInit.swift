import Kernels

/// Where a new model's random weights come from: normal draws from a seed for a model about to be
/// trained, or none for one whose every weight is about to be loaded or copied in. Drawing the
/// tiny model's 2.6M normals (Box–Muller, libm `logf`/`cosf`) was about a third of a one-image
/// `caption` call, and loading the checkpoint overwrote them all.
public struct WeightInit {
    private var rng: SplitMix?

    public static func random(seed: UInt64) -> WeightInit { WeightInit(rng: SplitMix(seed: seed)) }
    /// Uninitialised tensors (NaN under `MOEMM_POISON_UNINITIALIZED`, so a weight left unloaded fails a test).
    public static let unset = WeightInit(rng: nil)

    /// A `shape` tensor of N(0, std²) draws, or uninitialised when nothing is drawn.
    public mutating func normal(_ shape: [Int], std: Float) -> Tensor {
        guard rng != nil else { return Tensor(uninitialized: shape) }
        return Tensor(randomNormal: shape, std: std, rng: &rng!)
    }
}
