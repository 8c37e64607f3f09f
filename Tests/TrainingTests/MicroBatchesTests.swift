import Kernels
import Model
import Testing
import TestSupport
import Training

@Suite struct MicroBatchesTests {
    let config = tinyTestConfig()

    var batches: [Batch] {
        let examples = tinyExamples(config, seed: 3)
        return [Batch(Array(examples[0..<2]), config: config), Batch(Array(examples[2..<4]), config: config)]
    }

    @Test func copiesSumToTheGradientOfOneModelAccumulating() {
        let serial = MultimodalMoE(config)
        serial.zeroGradients()
        var serialLosses: [Double] = []
        for b in batches {
            serialLosses.append(serial.loss(b, gradScale: 0.5).total)
            serial.backward()
        }

        let micro = MicroBatches(model: MultimodalMoE(config), count: 2)
        let losses = micro.forwardBackward(batches).map(\.total)
        #expect(losses == serialLosses, "micro-batch losses \(losses), one model's \(serialLosses)")
        var failures: [String] = []
        for (p, q) in zip(micro.replicas[0].parameters, serial.parameters) {
            let r = closeness(p.grad.array, q.grad.array, p.name)
            if !r.ok { failures.append(r.message) }
        }
        #expect(failures.isEmpty, "\(failures.count) gradients differ: \(failures.prefix(3))")
    }

    @Test func copiesTakeTheTrainedWeightsAfterEachStep() {
        let micro = MicroBatches(model: MultimodalMoE(config), count: 2)
        _ = micro.forwardBackward(batches)
        AdamW(micro.replicas[0].parameters).update(lr: 0.01)
        let moved = zip(micro.replicas[0].parameters, micro.replicas[1].parameters).filter { $0.value.array != $1.value.array }.count
        #expect(moved > 0, "the optimiser step changed no weight of the trained copy")
        micro.synchronize()
        let differing = zip(micro.replicas[0].parameters, micro.replicas[1].parameters)
            .filter { $0.value.array != $1.value.array }.map { $0.0.name }
        #expect(differing.isEmpty, "after synchronize, \(differing.count) tensors differ: \(differing.prefix(3))")
    }
}
