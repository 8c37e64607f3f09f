import Foundation
import Kernels

/// The Whisper log-mel front end, computed once per clip:
/// periodic Hann window of `nFFT`, hop `hop`, centred frames (reflect padding of nFFT/2 at both
/// ends), |rfft|², the last frame dropped, Slaney mel filters, log10(max(·, 1e-10)), clamped to
/// (clip maximum − 8), then (x + 4) / 4. Window, FFT plan and filters are built in `init`; the
/// per-frame loop reuses one work buffer per thread.
public struct LogMel: Sendable {
    public let sampleRate: Int
    public let nFFT: Int
    public let hop: Int
    public let melCount: Int
    /// `[melCount, nFFT/2 + 1]`, librosa's `filters.mel(sr:, n_fft:, n_mels:)`.
    public let filters: Tensor
    private let window: [Float]
    private let fft: RealFFT

    public init(sampleRate: Int = 16000, nFFT: Int = 400, hop: Int = 160, melCount: Int = 80) {
        precondition(nFFT >= 2 && nFFT % 2 == 0 && hop >= 1 && melCount >= 1,
                     "LogMel needs an even nFFT, a positive hop and mel count (got \(nFFT), \(hop), \(melCount))")
        self.sampleRate = sampleRate
        self.nFFT = nFFT
        self.hop = hop
        self.melCount = melCount
        filters = MelFilterBank.slaney(sampleRate: sampleRate, nFFT: nFFT, melCount: melCount)
        // Periodic Hann (torch.hann_window's default): the symmetric window of nFFT + 1, last point dropped.
        window = (0..<nFFT).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(nFFT))) }
        fft = RealFFT(count: nFFT)
    }

    public var binCount: Int { nFFT / 2 + 1 }

    /// Frames produced for `samples` samples: the centred STFT has 1 + samples/hop, and the last is dropped.
    public func frameCount(samples: Int) -> Int { samples / hop }

    /// The `[melCount, frameCount]` log-mel spectrogram of `samples` (at `sampleRate`).
    public func callAsFunction(_ samples: [Float]) -> Tensor {
        let frames = frameCount(samples: samples.count)
        if frames == 0 { return Tensor(zeros: [melCount, 0]) }
        let padded = reflectPadded(samples, by: nFFT / 2)
        let power = Tensor(zeros: [frames, binCount])
        padded.withUnsafeBufferPointer { x in
            window.withUnsafeBufferPointer { w in
                parallelFor(frames, minimumPerChunk: 64) { range in
                    let work = UnsafeMutablePointer<Float>.allocate(capacity: nFFT + fft.workCount)
                    defer { work.deallocate() }
                    let frame = work + fft.workCount
                    for t in range {
                        let start = x.baseAddress! + t * hop
                        for j in 0..<nFFT { frame[j] = start[j] * w[j] }
                        fft.powerSpectrum(frame, into: power.data + t * binCount, work: work)
                    }
                }
            }
        }
        let mel = matmul(filters, power, transB: true)  // [melCount, frames]
        let values = mel.buffer
        var peak = -Float.infinity
        for i in 0..<values.count {
            let v = log10f(max(values[i], 1e-10))
            values[i] = v
            peak = max(peak, v)
        }
        let floor = peak - 8
        for i in 0..<values.count { values[i] = (max(values[i], floor) + 4) / 4 }
        return mel
    }

    /// `x` with `pad` samples mirrored at each end, not repeating the edge sample (numpy's
    /// "reflect"); very short clips reflect back and forth as numpy does.
    private func reflectPadded(_ x: [Float], by pad: Int) -> [Float] {
        let n = x.count
        var out = [Float](repeating: 0, count: n + 2 * pad)
        let period = 2 * (n - 1)
        for i in 0..<out.count {
            var j = i - pad
            if n == 1 {
                j = 0
            } else if j < 0 || j >= n {
                j = ((j % period) + period) % period
                if j >= n { j = period - j }
            }
            out[i] = x[j]
        }
        return out
    }
}
