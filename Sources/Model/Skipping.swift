import Inputs

/// Expert skipping at inference (DESIGN §4, after MoDES): a selected routed expert is left out
/// when `alpha[m] · gate < tau[m]` for the token's modality m. `alpha` is this layer's global
/// importance per modality; `tau` the per-modality threshold (image and audio share the media
/// one unless a config splits them). Skipped pairs are not gathered, so their GEMM rows are
/// never computed.
public struct SkipRule: Sendable, Equatable, Codable {
    /// Indexed by `Modality.rawValue`.
    public var alpha: [Float]
    public var tau: [Float]

    public init(alpha: [Float], tau: [Float]) {
        precondition(alpha.count == Modality.allCases.count && tau.count == Modality.allCases.count,
                     "a skip rule has one alpha and one tau per modality")
        self.alpha = alpha
        self.tau = tau
    }

    /// Bypasses every routed expert for the given modalities (calibration's importance probe).
    public static func bypass(_ modalities: Set<Modality>) -> SkipRule {
        SkipRule(alpha: [1, 1, 1], tau: Modality.allCases.map { modalities.contains($0) ? .infinity : -.infinity })
    }

    @inline(__always)
    public func skips(gate: Float, modality m: Modality) -> Bool { alpha[m.rawValue] * gate < tau[m.rawValue] }
}

/// Selected and skipped (token, expert) pairs, counted per modality.
public struct SkipCount: Sendable, Equatable {
    public var selected = [Int](repeating: 0, count: Modality.allCases.count)
    public var skipped = [Int](repeating: 0, count: Modality.allCases.count)
    public init() {}

    public var ratio: Double {
        let s = selected.reduce(0, +)
        return s == 0 ? 0 : Double(skipped.reduce(0, +)) / Double(s)
    }

    public static func += (a: inout SkipCount, b: SkipCount) {
        for i in a.selected.indices { a.selected[i] += b.selected[i]; a.skipped[i] += b.skipped[i] }
    }
}
