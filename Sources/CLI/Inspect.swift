import ArgumentParser
import Foundation
import Inputs
import Model

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parameters, active parameters and FLOPs per token of a model, and its routing.",
        discussion: """
            Examples:
              moe-mm inspect --config configs/tiny.yaml
            """)

    @Option(help: "A recipe (.yaml) or a config.json to account for, without weights.")
    var config: String

    @Option(help: "Context length at which to count attention FLOPs.")
    var context = 64

    func run() throws {
        let model = try loadModelConfig(config)
        let a = Accounting(model)
        func m(_ n: Int) -> String { String(format: "%.3fM", Double(n) / 1e6) }
        print("model: \(config)")
        print("  parameters total       \(m(a.total))")
        print("    decoder              \(m(a.decoder))  (embedding/LM head \(m(model.vocabSize * model.dModel)))")
        if model.image != nil { print("    image encoder        \(m(a.imageEncoder))") }
        if model.audio != nil { print("    audio encoder        \(m(a.audioEncoder))") }
        print("  per token (forward, context \(context)):")
        for modality in Modality.allCases where modality == .text || (modality == .image ? model.image != nil : model.audio != nil) {
            let flops = a.flopsPerToken(modality, context: context)
            print("    \(modality.description.padding(toLength: 6, withPad: " ", startingAt: 0)) active \(m(a.active(modality)))  \(String(format: "%.2f", flops / 1e6)) MFLOP")
        }
        if let moe = model.moe {
            let layers = (0..<model.layers).filter(model.isMoE)
            print("  MoE layers \(layers): \(moe.shared) shared + " + moe.groups.map {
                "\($0.name)[\($0.modalities.map(\.description).joined(separator: ","))] \($0.experts) experts top-\($0.topK)"
            }.joined(separator: ", "))
        }
    }
}
