import Evaluation
import Foundation
import Inputs
import Model
import Testing
import TestSupport

@Suite struct RoutingReportTests {
    /// The tiny test model with both decoder layers MoE, and two batches of its examples.
    static func collected() -> (MultimodalMoE, RoutingReport) {
        var config = tinyTestConfig()
        config.moe!.layers = .all
        let model = MultimodalMoE(config)
        let batches = [Batch(tinyExamples(config, seed: 1), config: config), Batch(tinyExamples(config, seed: 2), config: config)]
        return (model, RoutingCollector.collect(model, batches: batches))
    }

    @Test func loadsSumToKTimesTokensPerGroupAndModality() {
        let (_, report) = Self.collected()
        #expect(report.batches == 2 && report.layers.map(\.layer) == [0, 1], "batches \(report.batches), layers \(report.layers.map(\.layer))")
        for layer in report.layers {
            for g in layer.groups {
                for m in g.modalities {
                    let total = m.load.reduce(0, +)
                    #expect(m.tokens > 0 && m.tokens == report.tokens[m.modality],
                            "layer \(layer.layer) \(g.group) \(m.modality): \(m.tokens) tokens routed, the batches have \(report.tokens[m.modality] ?? 0)")
                    #expect(total == g.topK * m.tokens,
                            "layer \(layer.layer) \(g.group) \(m.modality): load sums to \(total), k × tokens = \(g.topK * m.tokens)")
                    let fractions = m.loadFraction.reduce(0, +)
                    #expect(abs(fractions - Double(g.topK)) < 1e-9, "\(g.group) \(m.modality): load fractions sum to \(fractions), not k = \(g.topK)")
                }
            }
        }
    }

    @Test func meanRoutingRowsSumToOneAndMatchTheLayersOwnProbabilities() {
        let config = tinyTestConfig()
        let model = MultimodalMoE(config)
        let batch = Batch(tinyExamples(config, seed: 3), config: config)
        let report = RoutingCollector.collect(model, batches: [batch])
        // A training forward of the same batch leaves each group's routing and the layer's own
        // pair KLs (inference forwards compute no routing losses): average the routing by hand.
        _ = model.loss(batch, gradScale: 0)
        let layer = model.moeLayers[0]
        #expect(!layer.pairKL.isEmpty, "the training forward computed no pair KL to compare with")
        for (g, group) in zip(layer.groups, report.layers[0].groups) {
            let r = g.last!, e = g.expertCount
            for m in group.modalities {
                let sum = m.meanProbs.reduce(0, +)
                #expect(abs(sum - 1) < 1e-6, "\(group.group) \(m.modality): p̄ sums to \(sum)")
                let rows = r.modality.indices.filter { r.modality[$0].description == m.modality }
                let expected = (0..<e).map { i in rows.reduce(Float(0)) { $0 + r.probs.data[$1 * e + i] } / Float(rows.count) }
                let c = closeness(m.meanProbs.map(Float.init), expected, rtol: 1e-5, atol: 1e-6, "\(group.group) \(m.modality) p̄")
                #expect(c.ok, "\(c.message)")
            }
            // The layer's own per-batch KL (Float) is the same quantity as the report's (Double).
            for pair in layer.pairKL where pair.group == group.group {
                let ours = group.pairs.first { $0.a == pair.a.description && $0.b == pair.b.description }
                let c = closeness([Float(ours?.symmetricKL ?? .nan)], [pair.divergence], rtol: 1e-4, atol: 1e-6, "\(pair.group) \(pair.a)-\(pair.b) KL")
                #expect(c.ok, "\(c.message)")
            }
        }
        #expect(report.layers[0].groups.first { $0.group == "media" }?.pairs.count == 1, "the media group serves image and audio: one pair")
    }

    @Test func symmetricKLIsSymmetricAndZeroForIdenticalDistributions() {
        let p = [0.7, 0.2, 0.1], q = [0.2, 0.5, 0.3]
        // By hand: 0.5 ln 3.5 + (−0.3) ln 0.4 + (−0.2) ln(1/3).
        let expected = 0.5 * log(3.5) - 0.3 * log(0.4) - 0.2 * log(1.0 / 3)
        let pq = RoutingMath.symmetricKL(p, q), qp = RoutingMath.symmetricKL(q, p)
        #expect(abs(pq - expected) < 1e-12, "KL(p,q) sym = \(pq), by hand \(expected)")
        #expect(pq == qp, "not symmetric: \(pq) vs \(qp) (diff \(pq - qp))")
        #expect(RoutingMath.symmetricKL(p, p) == 0, "identical distributions give \(RoutingMath.symmetricKL(p, p))")
        let zero = RoutingMath.symmetricKL([1, 0], [0.5, 0.5])
        #expect(zero.isFinite && zero > 0, "an exact zero probability gives \(zero)")
    }

    @Test func entropyOfUniformIsLnEAndOfOneHotIsZero() {
        let uniform = RoutingMath.entropy([0.25, 0.25, 0.25, 0.25])
        #expect(abs(uniform - log(4)) < 1e-12, "uniform over 4: \(uniform), ln 4 = \(log(4.0))")
        #expect(RoutingMath.entropy([0, 1, 0]) == 0, "one-hot: \(RoutingMath.entropy([0, 1, 0]))")
    }

    @Test func topKAgreementIsTheSharedShareOfTheMostLoadedExperts() {
        // a favours experts 1 and 3, b favours 0 and 3: one of two shared.
        let a = ModalityRouting(modality: "image", tokens: 11, load: [5, 9, 1, 7], probSums: [3, 4, 1, 3], topK: 2)
        let b = ModalityRouting(modality: "audio", tokens: 9, load: [8, 2, 2, 6], probSums: [4, 1, 1, 3], topK: 2)
        #expect(a.topExperts == [1, 3] && b.topExperts == [0, 3], "favourites \(a.topExperts) and \(b.topExperts)")
        let pair = RoutingMath.topKAgreement(a.topExperts, b.topExperts, k: 2)
        #expect(pair == 0.5, "agreement \(pair), expected 0.5")
        #expect(RoutingMath.topKAgreement([0, 1], [2, 3], k: 2) == 0, "disjoint favourites should agree 0")
        #expect(RoutingMath.topKAgreement([2, 0], [0, 2], k: 2) == 1, "the same favourites in another order should agree 1")
        // Equal loads: the higher mean probability wins, then the lower index.
        let tie = RoutingMath.topExperts(load: [3, 3, 1, 3], meanProbs: [0.2, 0.4, 0.1, 0.2], k: 2)
        #expect(tie == [1, 0], "tie-break gave \(tie), expected [1, 0]")
    }

    @Test func routingJSONRoundTripsWithSortedKeys() throws {
        let (_, report) = Self.collected()
        let document = RoutingDocument(checkpoint: "runs/x", collected: report, lastLogged: nil)
        let data = try document.json()
        let back = try JSONDecoder().decode(RoutingDocument.self, from: data)
        #expect(back == document, "routing.json does not decode to what was written")
        let text = String(decoding: data, as: UTF8.self)
        let order = ["\"batches\"", "\"layers\"", "\"tokens\""].map { text.range(of: $0)!.lowerBound }
        #expect(order == order.sorted(), "top-level keys of the collected report are not in sorted order")
        #expect(try document.json() == data, "encoding the same document twice gave different bytes")
    }
}
