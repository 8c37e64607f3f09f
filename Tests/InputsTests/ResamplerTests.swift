import Foundation
import Inputs
import Testing

@Suite struct ResamplerTests {
    private func tone(_ hz: Double, rate: Int, count: Int) -> [Float] {
        (0..<count).map { Float(0.5 * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
    }

    // The filter is flat to 0.91 × the lower Nyquist and 120 dB down from it, so a tone in the
    // passband comes out as the same tone sampled at the new rate (edges excluded: they see silence).
    @Test(arguments: [(48000, 16000, 1000.0), (44100, 16000, 5000.0), (22050, 16000, 7000.0), (11025, 16000, 4000.0),
                      (8000, 16000, 3000.0), (44100, 16001, 1000.0), (44100, 16001, 7000.0)])
    func passbandToneSurvivesResampling(from: Int, to: Int, hz: Double) {
        let resampler = Resampler(from: from, to: to)
        let out = resampler(tone(hz, rate: from, count: from))
        let expected = tone(hz, rate: to, count: out.count)
        #expect(out.count == to, "\(from) → \(to): \(out.count) samples from one second, expected \(to)")
        let inner = (to / 20)..<(out.count - to / 20)
        let snr = snrDB(out[inner], expected[inner])
        #expect(snr > 120, "\(hz) Hz tone \(from) → \(to) Hz: SNR \(snr) dB against the ideal tone")
    }

    @Test(arguments: [(48000, 16000, 9000.0), (48000, 16000, 12000.0), (44100, 16000, 10000.0)])
    func toneAboveTheOutputNyquistIsRemovedNotAliased(from: Int, to: Int, hz: Double) {
        let out = Resampler(from: from, to: to)(tone(hz, rate: from, count: from))
        let inner = out[(to / 20)..<(out.count - to / 20)]
        let rms = (inner.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(inner.count)).squareRoot()
        let level = 20 * log10(rms / (0.5 / 2.0.squareRoot()))
        #expect(level < -120, "\(hz) Hz tone \(from) → \(to) Hz leaks through at \(level) dB")
    }

    @Test func outputLengthIsTheCeilingOfTheRatio() {
        let r = Resampler(from: 22050, to: 16000)
        #expect(r.up == 320 && r.down == 441, "22050 → 16000 reduced to \(r.up)/\(r.down), expected 320/441")
        #expect(r.outputCount(for: 41708) == 30265, "41708 samples → \(r.outputCount(for: 41708)), expected ⌈41708·320/441⌉ = 30265")
        #expect(r([Float](repeating: 0.25, count: 3)).count == 3, "3 samples → ⌈3·320/441⌉ = 3")
        let same = Resampler(from: 16000, to: 16000)([0.1, -0.2, 0.3])
        #expect(same == [0.1, -0.2, 0.3], "16000 → 16000 changed the samples: \(same)")
    }
}
