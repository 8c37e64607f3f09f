import ArgumentParser
import Foundation
import Inputs
import Kernels
import Model

struct BenchInputs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inputs",
        abstract: "PNG decode+resize and log-mel throughput, next to what one training step needs.",
        discussion: """
            Times the data loader's per-sample work on the fixtures' real files (medians), then a \
            training step of the recipe on a synthetic batch of the same shape, and reports how \
            many images and clips a step consumes against how many the loader's thread prepares \
            in that time.

            Examples:
              moe-mm bench inputs --config configs/tiny.yaml
            """)

    @Option(help: "A recipe (.yaml) or config.json.") var config: String
    @Option(help: "A PNG to decode (default: the bundled emoji art or the test fixture).") var image: String?
    @Option(help: "An audio file to load (default: the test fixture speech).") var audio: String?
    @Option(help: "Sequences per training step.") var batch = 16
    @Option(help: "Seconds per measurement.") var seconds = 2.0

    func run() throws {
        let c = try loadModelConfig(config)
        let imageURL = URL(fileURLWithPath: image ?? "Tests/Fixtures/png/rgba8.png")
        let audioURL = URL(fileURLWithPath: audio ?? "Tests/Fixtures/audio/speech_22050.flac")
        var lines: [String] = []
        var perImage = Double.nan, perClip = Double.nan
        if let ic = c.image {
            let pre = ImagePreprocessor(height: ic.size, width: ic.size)
            _ = try pre.tensor(from: imageURL)
            perImage = measure(seconds: seconds) { _ = try? pre.tensor(from: imageURL) }.median
            lines.append(String(format: "PNG decode+resize to %dx%d: %.3f ms/image (%.0f images/s)", ic.size, ic.size, perImage * 1000, 1 / perImage))
        }
        if let ac = c.audio {
            let pre = AudioPreprocessor(maxSeconds: ac.maxSeconds, padToMax: ac.padToMax)
            _ = try pre.logMel(from: audioURL)
            perClip = measure(seconds: seconds) { _ = try? pre.logMel(from: audioURL) }.median
            let samples = [Float](repeating: 0.1, count: 30 * AudioPreprocessor.sampleRate)
            let long = AudioPreprocessor(maxSeconds: 30, padToMax: true)
            let thirty = measure(seconds: seconds) { _ = long.logMel(samples: samples) }.median
            lines.append(String(format: "audio decode+resample+log-mel (%@): %.3f ms/clip (%.0f clips/s)", audioURL.lastPathComponent, perClip * 1000, 1 / perClip))
            lines.append(String(format: "log-mel of 30 s of 16 kHz audio: %.2f ms", thirty * 1000))
        }
        let step = BenchModel.stepSeconds(c, batch: batch, seconds: seconds)
        lines.append(String(format: "one training step of %d sequences: %.1f ms", batch, step * 1000))
        // The bundled mix: 3 in 5 samples carry an image, 2 in 5 a clip (see bench model's batch).
        let need = Double(batch) * 0.6 * perImage.nanToZero + Double(batch) * 0.4 * perClip.nanToZero
        lines.append(String(format: "loader work per step: %.1f ms on its own thread (%.0f%% of a step)", need * 1000, need / step * 100))
        lines.forEach { print($0) }
    }
}

extension Double { var nanToZero: Double { isNaN ? 0 : self } }
