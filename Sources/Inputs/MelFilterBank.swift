import Foundation
import Kernels

/// Triangular mel filters on the bins of a real FFT, as `librosa.filters.mel` builds them with its
/// defaults (Slaney's mel scale: linear below 1 kHz, logarithmic above; each triangle scaled to
/// unit area, `norm="slaney"`). Whisper's front end uses exactly this bank.
public enum MelFilterBank {
    /// A `[melCount, nFFT/2 + 1]` filter matrix, computed in double precision.
    public static func slaney(sampleRate: Int, nFFT: Int, melCount: Int,
                              minHz: Double = 0, maxHz: Double? = nil) -> Tensor {
        let maxHz = maxHz ?? Double(sampleRate) / 2
        let bins = nFFT / 2 + 1
        let binHz = (0..<bins).map { Double($0) * Double(sampleRate) / Double(nFFT) }
        // melCount + 2 edges, evenly spaced in mel, as linspace does (the last one exact).
        let lo = hzToMel(minHz), hi = hzToMel(maxHz)
        let edges = (0..<(melCount + 2)).map { i in
            melToHz(i == melCount + 1 ? hi : lo + Double(i) * (hi - lo) / Double(melCount + 1))
        }
        let filters = Tensor(zeros: [melCount, bins])
        for m in 0..<melCount {
            let (left, centre, right) = (edges[m], edges[m + 1], edges[m + 2])
            let area = 2 / (right - left)
            for k in 0..<bins {
                let rising = (binHz[k] - left) / (centre - left)
                let falling = (right - binHz[k]) / (right - centre)
                filters.data[m * bins + k] = Float(max(0, min(rising, falling)) * area)
            }
        }
        return filters
    }

    private static let linearHzPerMel = 200.0 / 3
    private static let breakHz = 1000.0
    private static let breakMel = breakHz / linearHzPerMel
    private static let logStep = log(6.4) / 27

    static func hzToMel(_ hz: Double) -> Double {
        hz < breakHz ? hz / linearHzPerMel : breakMel + log(hz / breakHz) / logStep
    }

    static func melToHz(_ mel: Double) -> Double {
        mel < breakMel ? mel * linearHzPerMel : breakHz * exp(logStep * (mel - breakMel))
    }
}
