import Foundation
import Inputs
import Kernels
import TestSupport

/// The audio fixtures: files by name, and the tensors of `audio/log_mel.safetensors`.
enum AudioReference {
    static func url(_ name: String) -> URL { Fixtures.url("audio/\(name)") }

    static func tensor(_ name: String) throws -> Tensor {
        try SafeTensorsFile(contentsOf: url("log_mel.safetensors")).tensor(name)
    }
}

/// Signal-to-noise ratio of `actual` against `reference` in dB: 10·log10(Σ ref² / Σ (act − ref)²).
func snrDB(_ actual: ArraySlice<Float>, _ reference: ArraySlice<Float>) -> Double {
    precondition(actual.count == reference.count)
    var signal = 0.0, noise = 0.0
    for (a, r) in zip(actual, reference) {
        signal += Double(r) * Double(r)
        noise += Double(a - r) * Double(a - r)
    }
    return 10 * log10(signal / max(noise, 1e-300))
}
