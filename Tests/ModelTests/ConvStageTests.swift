import Foundation
import Kernels
import Model
import Testing
import TestSupport

@Suite struct ConvStageTests {
    /// The im2col + GEMM convolution against the textbook sum, on planar input (the first stage).
    @Test func stride2ConvolutionMatchesTheDirectSum() {
        var rng = SplitMix(seed: 4)
        let (n, cin, cout, side) = (2, 3, 5, 7)
        var weights = WeightInit.random(seed: 4)
        let stage = ConvStage("s", in: cin, out: cout, std: 0.5, weights: &weights)
        scale(stage.bias.value.data, 0, cout)
        let x = Tensor(randomNormal: [n, cin, side, side], std: 1, rng: &rng)
        let y = stage.forward(x, images: n, side: side, imageStride: cin * side * side, channelStride: side * side, pixelStride: 1)
        let so = (side - 1) / 2 + 1
        var expected = [Float]()
        for b in 0..<n {
            for oy in 0..<so {
                for ox in 0..<so {
                    for o in 0..<cout {
                        var acc: Double = 0
                        for c in 0..<cin {
                            for ky in 0..<3 {
                                for kx in 0..<3 {
                                    let iy = oy * 2 + ky - 1, ix = ox * 2 + kx - 1
                                    guard iy >= 0, iy < side, ix >= 0, ix < side else { continue }
                                    acc += Double(stage.weight.value.data[((o * cin + c) * 3 + ky) * 3 + kx])
                                        * Double(x.data[((b * cin + c) * side + iy) * side + ix])
                                }
                            }
                        }
                        let v = Float(acc)
                        expected.append(0.5 * v * (1 + Float(tanh(0.797_884_56 * Double(v + 0.044_715 * v * v * v)))))
                    }
                }
            }
        }
        let r = closeness(y.array, expected, rtol: 1e-4, atol: 1e-5, "GELU(conv3x3 stride 2)")
        #expect(y.shape == [n * so * so, cout] && r.ok, "\(r.message)")
    }
}
