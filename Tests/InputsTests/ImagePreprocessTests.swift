import Foundation
import Inputs
import Kernels
import Testing
import TestSupport

@Suite struct ImagePreprocessTests {
    /// A `[channels, h, w]` tensor from a value function.
    private func image(_ channels: Int, _ h: Int, _ w: Int, _ value: (Int, Int, Int) -> Float) -> Tensor {
        var values: [Float] = []
        for c in 0..<channels { for y in 0..<h { for x in 0..<w { values.append(value(c, y, x)) } } }
        return Tensor(shape: [channels, h, w], values: values)
    }

    @Test(arguments: [(3, 4), (11, 13), (2, 19), (5, 7)])
    func constantImageStaysConstant(height: Int, width: Int) {
        let out = resizeImage(image(3, 5, 7) { c, _, _ in 0.25 + 0.25 * Float(c) }, height: height, width: width)
        #expect(out.shape == [3, height, width], "shape \(out.shape)")
        for c in 0..<3 {
            let plane = Array(out.array[(c * height * width)..<((c + 1) * height * width)])
            let r = closeness(plane, [Float](repeating: 0.25 + 0.25 * Float(c), count: plane.count), rtol: 0, atol: 1e-6,
                              "channel \(c) resized 5x7 to \(height)x\(width)")
            #expect(r.ok, "\(r.message)")
        }
    }

    @Test func halvingACheckerboardGivesItsMean() {
        let checker = image(1, 8, 6) { _, y, x in (x + y) % 2 == 0 ? 1 : 0 }
        let out = resizeImage(checker, height: 4, width: 3)
        let r = closeness(out.array, [Float](repeating: 0.5, count: 12), rtol: 0, atol: 1e-6, "2x-shrunk checkerboard")
        #expect(r.ok, "\(r.message)")
    }

    @Test func shrinkingByNonIntegerFactorAveragesCoveredArea() {
        // 3 → 2: output 0 covers pixel 0 and half of pixel 1; output 1 the other half and pixel 2.
        let out = resizeImage(image(1, 1, 3) { _, _, x in [3, 6, 12][x] }, height: 1, width: 2)
        let r = closeness(out.array, [(3 + 0.5 * 6) / 1.5, (0.5 * 6 + 12) / 1.5], rtol: 1e-6, atol: 0, "3→2 area average")
        #expect(r.ok, "\(r.message)")
    }

    @Test func bilinearEnlargeMatchesHalfPixelInterpolation() {
        // torch.nn.functional.interpolate([[0, 1], [2, 3]], size=(4, 4), mode="bilinear", align_corners=False)
        let out = resizeImage(image(1, 2, 2) { _, y, x in Float(2 * y + x) }, height: 4, width: 4)
        let line: [Float] = [0, 0.25, 0.75, 1]
        let expected = [Float](line.flatMap { v in line.map { 2 * v + $0 } })
        let r = closeness(out.array, expected, rtol: 0, atol: 1e-6, "2x2 → 4x4 bilinear")
        #expect(r.ok, "\(r.message)")
    }

    @Test func compositingUsesStraightAlphaOverTheBackground() {
        let halfRed = RGBAImage(width: 1, height: 1, pixels: [1, 0, 0, 0.5])
        let overWhite = closeness(halfRed.composited().array, [1, 0.5, 0.5], "half-transparent red over white")
        #expect(overWhite.ok, "\(overWhite.message)")
        let overBlack = closeness(halfRed.composited(over: .black).array, [0.5, 0, 0], "half-transparent red over black")
        #expect(overBlack.ok, "\(overBlack.message)")
    }

    @Test func normalisationSubtractsMeanAndDividesByStd() {
        let pre = ImagePreprocessor(height: 2, width: 2, mean: SIMD3(0.5, 0.25, 0), std: SIMD3(0.5, 0.25, 2))
        let rgba = RGBAImage(width: 2, height: 2, pixels: [Float](repeating: 0, count: 16).enumerated().map { $0.offset % 4 == 3 ? 1 : 0.75 })
        let out = pre.tensor(from: rgba)
        let expected: [Float] = [0.5, 2, 0.375].flatMap { [Float](repeating: $0, count: 4) }
        let r = closeness(out.array, expected, rtol: 1e-6, atol: 1e-6, "(0.75 − mean) / std per channel")
        #expect(r.ok, "\(r.message)")
    }

    @Test func preprocessorOnFixtureMatchesPillowPixelsNormalised() throws {
        let pre = ImagePreprocessor(height: 29, width: 37)
        let out = try pre.tensor(from: Fixtures.url("png/rgba8.png"))
        let pillow = try SafeTensorsFile(contentsOf: Fixtures.url("png/decoded.safetensors")).tensor("rgba8")
        let plane = 29 * 37
        var expected = [Float](repeating: 0, count: 3 * plane)
        for p in 0..<plane {
            let a = pillow.data[p * 4 + 3]
            for c in 0..<3 {
                let over = a * pillow.data[p * 4 + c] + (1 - a)
                expected[c * plane + p] = (over - pre.mean[c]) / pre.std[c]
            }
        }
        #expect(out.shape == [3, 29, 37], "shape \(out.shape)")
        let r = closeness(out.array, expected, rtol: 0, atol: 1.0 / 255 / 0.224, "preprocessed rgba8 vs Pillow")
        #expect(r.ok, "\(r.message)")
    }
}
