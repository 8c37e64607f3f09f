import Foundation
import Inputs
import Kernels
import Testing

@Suite struct FFTTests {
    /// X[k] = Σ x[j]·e^{−2πi·jk/n}, in double precision.
    private func naiveDFT(_ re: [Float], _ im: [Float]) -> (re: [Double], im: [Double]) {
        let n = re.count
        var outR = [Double](repeating: 0, count: n), outI = outR
        for k in 0..<n {
            for j in 0..<n {
                let angle = -2 * Double.pi * Double((j * k) % n) / Double(n)
                outR[k] += Double(re[j]) * cos(angle) - Double(im[j]) * sin(angle)
                outI[k] += Double(re[j]) * sin(angle) + Double(im[j]) * cos(angle)
            }
        }
        return (outR, outI)
    }

    private func randomSignal(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix(seed: seed)
        return (0..<n).map { _ in rng.uniform() * 2 - 1 }
    }

    /// Largest |got − expected| over the bins, relative to the largest |expected|.
    private func relativeError(_ got: (re: [Float], im: [Float]), _ expected: (re: [Double], im: [Double])) -> Double {
        var worst = 0.0, scale = 0.0
        for k in 0..<expected.re.count {
            worst = max(worst, hypot(Double(got.re[k]) - expected.re[k], Double(got.im[k]) - expected.im[k]))
            scale = max(scale, hypot(expected.re[k], expected.im[k]))
        }
        return worst / scale
    }

    @Test(arguments: [1, 2, 3, 4, 5, 8, 12, 25, 49, 97, 200, 336, 400, 480])
    func complexFFTMatchesNaiveDFT(n: Int) {
        let re = randomSignal(n, seed: UInt64(n)), im = randomSignal(n, seed: UInt64(n) + 1000)
        let got = FFT(count: n).forward(re: re, im: im)
        let error = relativeError(got, naiveDFT(re, im))
        #expect(error < 2e-6, "FFT of length \(n) (factors \(n)): max error \(error) of the largest bin")
    }

    @Test(arguments: [2, 10, 400, 512, 1000])
    func realFFTMatchesNaiveDFT(n: Int) {
        let x = randomSignal(n, seed: 7 * UInt64(n))
        let got = RealFFT(count: n).transform(x)
        let full = naiveDFT(x, [Float](repeating: 0, count: n))
        let expected = (re: Array(full.re.prefix(n / 2 + 1)), im: Array(full.im.prefix(n / 2 + 1)))
        let error = relativeError(got, expected)
        #expect(error < 2e-6, "real FFT of length \(n): max error \(error) of the largest bin")
    }
}
