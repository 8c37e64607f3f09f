import Foundation
import Kernels

/// Band-limited sample-rate conversion between any two integer rates: a Kaiser-windowed sinc
/// low-pass applied in polyphase form.
///
/// The ratio is reduced to up/down = L/M. Output sample n sits at input time n·M/L; its value is
/// the dot product of the input around that time with one of L precomputed phases of the
/// filter. The filter is flat up to `passband` × the lower Nyquist frequency and attenuated by
/// `attenuation` dB from the lower Nyquist frequency on, so nothing aliases (Kaiser's design
/// formulas give the window's beta and length). Ratios with more than `maxPhases` phases
/// (unusual rates such as 44100 → 16001) interpolate linearly between adjacent phases of a
/// `maxPhases` table; passband tones still come out above 120 dB SNR on that path.
public struct Resampler: Sendable {
    public let inputRate: Int
    public let outputRate: Int
    public let up: Int
    public let down: Int
    /// Taps per phase (a multiple of 8 for the SIMD dot product).
    public let taps: Int
    private let phases: Int
    private let reach: Int  // taps run over input indices i0 − reach + 1 … i0 − reach + taps
    private let table: [Float]  // (phases + 1) rows of `taps`

    public static let maxPhases = 1024

    public init(from inputRate: Int, to outputRate: Int, passband: Double = 0.91, attenuation: Double = 120) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive (\(inputRate) → \(outputRate))")
        precondition(passband > 0 && passband < 1 && attenuation > 21, "passband in (0, 1) and attenuation above 21 dB")
        self.inputRate = inputRate
        self.outputRate = outputRate
        let g = Resampler.gcd(inputRate, outputRate)
        up = outputRate / g
        down = inputRate / g

        // Frequencies as fractions of the input rate.
        let lowerNyquist = 0.5 * Double(min(inputRate, outputRate)) / Double(inputRate)
        let cutoff = 0.5 * (1 + passband) * lowerNyquist
        let transition = (1 - passband) * lowerNyquist
        let beta = attenuation > 50 ? 0.1102 * (attenuation - 8.7) : 0.5842 * pow(attenuation - 21, 0.4) + 0.07886 * (attenuation - 21)
        let halfWidth = (attenuation - 7.95) / (2.285 * 2 * Double.pi * transition) / 2  // in input samples
        reach = Int(halfWidth.rounded(.up))
        taps = (2 * reach + 7) / 8 * 8
        phases = min(up, Resampler.maxPhases)

        // Row p holds h(d − p/phases) for d = 1 − reach …; row `phases` closes the interpolation.
        let norm = Resampler.besselI0(beta)
        var table = [Float](repeating: 0, count: (phases + 1) * taps)
        for p in 0...phases {
            for k in 0..<taps {
                let t = Double(k + 1 - reach) - Double(p) / Double(phases)
                guard abs(t) < halfWidth else { continue }
                let x = 2 * cutoff * t
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                let r = t / halfWidth
                table[p * taps + k] = Float(2 * cutoff * sinc * Resampler.besselI0(beta * (1 - r * r).squareRoot()) / norm)
            }
        }
        self.table = table
    }

    /// Output samples for `inputCount` input samples: ⌈inputCount · L / M⌉.
    public func outputCount(for inputCount: Int) -> Int { (inputCount * up + down - 1) / down }

    /// `x` at `outputRate`; samples beyond either end of `x` count as silence.
    public func callAsFunction(_ x: [Float]) -> [Float] {
        if up == down { return x }
        let n = outputCount(for: x.count)
        if n == 0 { return [] }
        // Silence around the signal so every output's taps stay in bounds.
        var padded = [Float](repeating: 0, count: x.count + 2 * taps)
        padded.replaceSubrange(taps..<(taps + x.count), with: x)
        var out = [Float](repeating: 0, count: n)
        let (up, down, taps, phases, reach) = (up, down, taps, phases, reach)
        padded.withUnsafeBufferPointer { xp in
            table.withUnsafeBufferPointer { h in
                out.withUnsafeMutableBufferPointer { y in
                    let y = y.baseAddress!, base = xp.baseAddress! + taps + 1 - reach
                    parallelFor(n, minimumPerChunk: 4096) { range in
                        for i in range {
                            let position = i * down
                            let i0 = position / up, phase = position % up
                            let window = base + i0
                            if phases == up {
                                y[i] = dot(window, h.baseAddress! + phase * taps, taps)
                            } else {
                                let exact = Double(phase) * Double(phases) / Double(up)
                                let p = Int(exact), a = Float(exact - Double(p))
                                let lower = dot(window, h.baseAddress! + p * taps, taps)
                                let upper = dot(window, h.baseAddress! + (p + 1) * taps, taps)
                                y[i] = lower + a * (upper - lower)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The modified Bessel function of the first kind, order 0 (power series; converges fast for the betas used).
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        let quarter = x * x / 4
        while term > sum * 1e-17 {
            term *= quarter / (k * k)
            sum += term
            k += 1
        }
        return sum
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
