import Inputs
import Model

/// Runs a model forward over batches and pools every MoE group's routing per modality
/// (selection counts and summed routing probabilities), then derives a `RoutingReport`.
/// Batches can be fed one at a time, so a large manifest need not be held in memory.
public final class RoutingCollector {
    public let model: MultimodalMoE
    private var batches = 0
    private var tokens = [Int](repeating: 0, count: Modality.allCases.count)
    /// [moe layer][group][modality index within the group]
    private var sums: [[[Sums]]]

    private struct Sums {
        var tokens = 0
        var load: [Int]
        var probs: [Double]
        init(experts: Int) { load = Array(repeating: 0, count: experts); probs = Array(repeating: 0, count: experts) }
    }

    public init(model: MultimodalMoE) {
        self.model = model
        sums = model.moeLayers.map { layer in
            layer.groups.map { g in g.modalities.map { _ in Sums(experts: g.expertCount) } }
        }
    }

    /// Forward pass over `batch` (no loss, no gradient) and accumulation of its routing.
    public func add(_ batch: Batch) {
        _ = model.forward(batch)
        batches += 1
        for m in batch.modality { tokens[m.rawValue] += 1 }
        for (l, layer) in model.moeLayers.enumerated() {
            for (gi, g) in layer.groups.enumerated() {
                guard let r = g.last, !r.tokens.isEmpty else { continue }
                let e = g.expertCount, k = r.selected.count / r.tokens.count
                for row in r.modality.indices {
                    guard let mi = g.modalities.firstIndex(of: r.modality[row]) else { continue }
                    sums[l][gi][mi].tokens += 1
                    for s in 0..<k { sums[l][gi][mi].load[Int(r.selected[row * k + s])] += 1 }
                    let p = r.probs.data + row * e
                    for i in 0..<e { sums[l][gi][mi].probs[i] += Double(p[i]) }
                }
            }
        }
    }

    /// The pooled statistics so far.
    public var report: RoutingReport {
        let decoderIndex = model.blocks.indices.filter { model.blocks[$0].moe != nil }
        let layers = model.moeLayers.enumerated().map { l, layer in
            LayerRouting(layer: decoderIndex[l], moeIndex: l, groups: layer.groups.enumerated().map { gi, g in
                let k = min(layer.topKOverride ?? g.topK, g.expertCount)
                let perModality = g.modalities.enumerated().map { mi, m in
                    ModalityRouting(modality: m.description, tokens: sums[l][gi][mi].tokens, load: sums[l][gi][mi].load,
                                    probSums: sums[l][gi][mi].probs, topK: k)
                }
                return GroupRouting(group: g.name, experts: g.expertCount, topK: k, modalities: perModality,
                                    pairs: Self.pairs(perModality, k: k))
            })
        }
        var counts: [String: Int] = [:]
        for m in Modality.allCases where tokens[m.rawValue] > 0 { counts[m.description] = tokens[m.rawValue] }
        return RoutingReport(batches: batches, tokens: counts, layers: layers)
    }

    /// Symmetric KL and top-k agreement for each pair of modalities that both had tokens.
    static func pairs(_ modalities: [ModalityRouting], k: Int) -> [PairRouting] {
        let present = modalities.filter { $0.tokens > 0 }
        var out: [PairRouting] = []
        for (i, a) in present.enumerated() {
            for b in present[(i + 1)...] {
                out.append(PairRouting(a: a.modality, b: b.modality,
                                       symmetricKL: RoutingMath.symmetricKL(a.meanProbs, b.meanProbs),
                                       topKAgreement: RoutingMath.topKAgreement(a.topExperts, b.topExperts, k: k)))
            }
        }
        return out
    }

    /// Collects over all of `batches` at once.
    public static func collect(_ model: MultimodalMoE, batches: [Batch]) -> RoutingReport {
        let c = RoutingCollector(model: model)
        for b in batches { c.add(b) }
        return c.report
    }
}
