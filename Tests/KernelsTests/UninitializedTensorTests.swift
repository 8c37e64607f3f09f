import Foundation
@testable import Kernels
import Testing

@Suite struct UninitializedTensorTests {
    /// `make test` sets MOEMM_POISON_UNINITIALIZED=1, so every model test there runs with unset
    /// outputs full of NaN; this checks that the switch is really on when asked for.
    @Test func uninitializedTensorsAreNaNWhenPoisoningIsAskedFor() {
        let asked = ProcessInfo.processInfo.environment["MOEMM_POISON_UNINITIALIZED"] == "1"
        #expect(Tensor.poisonsUninitialized == asked, "poisoning is \(Tensor.poisonsUninitialized), environment asks \(asked)")
        let t = Tensor(uninitialized: [3, 5])
        if asked {
            let set = t.array.filter { !$0.isNaN }.count
            #expect(set == 0, "\(set) of 15 values of a poisoned uninitialized tensor are not NaN")
        }
        t.zero()
        #expect(t.array == [Float](repeating: 0, count: 15), "an uninitialized tensor does not take writes: \(t.array)")
    }
}
