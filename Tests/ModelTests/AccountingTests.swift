import Inputs
import Model
import Testing
import TestSupport

@Suite struct AccountingTests {
    @Test(arguments: [([Int](), false), ([4, 6], true)])
    func totalParametersEqualTheInstantiatedModel(convStem: [Int], positionEmbedding: Bool) {
        let config = tinyTestConfig(convStem: convStem, positionEmbedding: positionEmbedding)
        let counted = MultimodalMoE(config).parameters.reduce(0) { $0 + $1.value.count }
        let accounted = Accounting(config).total
        #expect(accounted == counted, "accounting says \(accounted) parameters, the model has \(counted)")
    }

    @Test func activeParametersFollowTopKNotExpertCount() {
        var config = tinyTestConfig()
        let before = Accounting(config)
        config.moe!.groups[1].experts *= 4
        let after = Accounting(config)
        #expect(after.total > before.total, "quadrupling the media experts did not grow the total")
        for m in Modality.allCases {
            // Only the router grows with the expert count; the experts computed do not.
            let growth = after.active(m) - before.active(m)
            let routerGrowth = m == .text ? 0 : 3 * config.moe!.groups[1].experts / 4 * config.dModel
            #expect(growth == routerGrowth, "\(m): active grew by \(growth), router alone by \(routerGrowth)")
        }
    }
}
