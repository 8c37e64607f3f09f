import ArgumentParser
import Foundation
import Inference
import Model

/// Expert skipping at inference, as `caption` and `evaluate` take it.
struct SkippingOptions: ParsableArguments {
    @Flag(help: "Skip experts with the checkpoint's skipping.json (see `moe-mm calibrate`).")
    var skip = false

    @Option(help: "Text threshold (with --tau-media): replaces skipping.json's with --skip; alone, thresholds the raw gate.")
    var tauText: Float?

    @Option(help: "Media threshold (with --tau-text), as --tau-text.")
    var tauMedia: Float?

    /// Whether any skipping was asked for.
    var isOn: Bool { skip || tauText != nil }

    func validate() throws {
        guard (tauText == nil) == (tauMedia == nil) else { throw ValidationError("--tau-text and --tau-media go together") }
    }

    func install(into loaded: LoadedCheckpoint) throws {
        try installSkipping(loaded, file: skip, tauText: tauText, tauMedia: tauMedia)
    }
}

/// Installs expert skipping: the checkpoint's skipping.json, or thresholds given by hand
/// (applied with α = 1, i.e. on the raw gate), or nothing.
func installSkipping(_ loaded: LoadedCheckpoint, file: Bool, tauText: Float?, tauMedia: Float?) throws {
    if let t = tauText, let m = tauMedia {
        let url = loaded.directory.appendingPathComponent(SkippingFile.fileName)
        if file {
            var skipping = try SkippingFile.load(url)
            skipping.tau = SkippingFile.Thresholds([t, m, m], splitMedia: false)
            try skipping.install(into: loaded.model, source: url.path)
        } else {
            for layer in loaded.model.moeLayers { layer.skip = SkipRule(alpha: [1, 1, 1], tau: [t, m, m]) }
        }
    } else if file {
        try SkippingFile.install(loaded.directory.appendingPathComponent(SkippingFile.fileName), into: loaded.model)
    }
}
