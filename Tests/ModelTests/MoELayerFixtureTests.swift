import Foundation
import Inputs
import Kernels
import Model
import Testing
import TestSupport

/// The MoE layer against `moe_layer.safetensors` (JAX, float64): outputs, routing, losses,
/// every gradient, and the skipping case.
@Suite struct MoELayerFixtureTests {
    let fixture: SafeTensorsFile
    let layer: MoELayer
    let x: Tensor
    let modality: [Modality]

    init() throws {
        fixture = try SafeTensorsFile(contentsOf: Fixtures.url("moe_layer.safetensors"))
        let config = MoEConfig(
            expertHidden: 8, shared: 1,
            groups: [ExpertGroupConfig(name: "text", modalities: [.text], experts: 4, topK: 2),
                     ExpertGroupConfig(name: "media", modalities: [.image, .audio], experts: 6, topK: 2)],
            balanceAlpha: 0.01, klLambda: 0.1, klBand: [0.5, 1.0])
        var weights = WeightInit.random(seed: 0)
        layer = MoELayer(prefix: "moe", config: config, d: 12, moeLayers: 1, std: 0.02, outStd: 0.02, weights: &weights)
        layer.computesLosses = true
        // The fixture stores weights [in, out]; parameters are nn.Linear's [out, in].
        for p in layer.parameters {
            let stored = try fixture.tensor(Self.fixtureName(p))
            p.value.copy(from: stored.rank == 2 ? stored.transposed() : stored)
        }
        x = try fixture.tensor("x")
        modality = try fixture.int64s("modality").map { Modality(rawValue: Int($0))! }
    }

    func fixtureName(_ p: Parameter) -> String { Self.fixtureName(p) }
    static func fixtureName(_ p: Parameter) -> String { String(p.name.dropFirst("moe.".count)) }

    func expectMatch(_ actual: [Float], _ name: String) throws {
        let r = closeness(actual, try fixture.tensor(name).array, name)
        #expect(r.ok, "\(r.message)")
    }

    func selectionMask(_ g: ExpertGroup, skippedOnly: Bool = false) -> [Float] {
        let r = g.last!, e = g.expertCount, k = g.topK
        var mask = [Float](repeating: 0, count: r.tokens.count * e)
        for pair in 0..<r.selected.count where !skippedOnly || r.skipped[pair] {
            mask[(pair / k) * e + Int(r.selected[pair])] = 1
        }
        return mask
    }

    @Test func forwardMatchesOutputsRoutingAndLosses() throws {
        let y = layer.forward(x, modality: modality)
        try expectMatch(y.array, "out.y")
        for g in layer.groups {
            try expectMatch(g.last!.probs.array, "out.probs.\(g.name)")
            try expectMatch(selectionMask(g), "out.selected.\(g.name)")
            let tokens = try fixture.int64s("out.tokens.\(g.name)").map(Int.init)
            #expect(g.last!.tokens == tokens, "group \(g.name) routed tokens \(g.last!.tokens), expected \(tokens)")
        }
        try expectMatch([layer.balanceLoss], "out.balance_loss")
        try expectMatch([layer.klLoss], "out.smar_loss")
        let media = layer.pairKL.first { $0.group == "media" && $0.a == .image && $0.b == .audio }
        try expectMatch([media?.divergence ?? .nan], "out.sym_kl.media.1-2")
    }

    @Test func backwardMatchesEveryGradient() throws {
        _ = layer.forward(x, modality: modality)
        let dx = layer.backward(try fixture.tensor("dy"))
        try expectMatch(dx.array, "grad.x")
        for p in layer.parameters {
            let g = p.grad.rank == 2 ? p.grad.transposed() : p.grad
            try expectMatch(g.array, "grad." + fixtureName(p))
        }
    }

    @Test func anInferenceForwardComputesNoRoutingLosses() throws {
        layer.computesLosses = false
        let y = layer.forward(x, modality: modality)
        try expectMatch(y.array, "out.y")
        #expect(layer.balanceLoss == 0 && layer.klLoss == 0 && layer.pairKL.isEmpty,
                "inference forward: balance \(layer.balanceLoss), KL \(layer.klLoss), \(layer.pairKL.count) pair KLs")
    }

    @Test func skippingLeavesOutLowScoredExpertsAndMatches() throws {
        layer.skip = SkipRule(alpha: try fixture.tensor("skip.alpha").array, tau: try fixture.tensor("skip.tau").array)
        let y = layer.forward(x, modality: modality)
        try expectMatch(y.array, "skip.y")
        for g in layer.groups { try expectMatch(selectionMask(g, skippedOnly: true), "skip.mask.\(g.name)") }
        try expectMatch([Float(layer.skipCount.ratio)], "skip.ratio")
    }
}
