import Kernels
import Testing

@Suite struct AdamWTests {
    /// The update runs eight lanes at a time and the last `n % 8` elements one by one; both must
    /// give the same bits, or a run's result would depend on where a parameter's length falls.
    @Test func laneUpdatesMatchElementUpdatesBitForBit() {
        let n = 29
        var rng = SplitMix(seed: 7)
        func values(_ scale: Float) -> [Float] { (0..<n).map { _ in (rng.uniform() - 0.5) * scale } }
        // Weights near zero, so the step itself, not the rounding of p + step, decides p's last bits.
        let p0 = values(1e-5), g = values(0.2), m0 = values(0.01), v0 = values(0.001).map(abs)
        let settings = (lr: Float(3e-3), beta1: Float(0.9), beta2: Float(0.95), eps: Float(1e-8), weightDecay: Float(0.05),
                        correction1: Float(1 - 0.729), correction2: Float(1 - 0.857375))
        func run(_ chunk: Int) -> [Float] {
            var p = p0, m = m0, v = v0
            p.withUnsafeMutableBufferPointer { p in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        g.withUnsafeBufferPointer { g in
                            for start in stride(from: 0, to: n, by: chunk) {
                                adamwUpdate(p.baseAddress! + start, g.baseAddress! + start, m.baseAddress! + start,
                                            v.baseAddress! + start, min(chunk, n - start), lr: settings.lr,
                                            beta1: settings.beta1, beta2: settings.beta2, eps: settings.eps,
                                            weightDecay: settings.weightDecay, correction1: settings.correction1,
                                            correction2: settings.correction2)
                            }
                        }
                    }
                }
            }
            return p + m + v
        }
        let lanes = run(n), elements = run(1)
        let differing = zip(lanes, elements).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(differing.isEmpty, "\(differing.count) of \(3 * n) values differ; first at \(differing.first.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")")
    }
}
