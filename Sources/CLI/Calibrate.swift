import ArgumentParser
import Foundation
import Inference
import Inputs
import Model

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Calibrate expert skipping (after MoDES) and write skipping.json beside the checkpoint.",
        discussion: """
            On the manifest's first samples (answers as targets) it measures each MoE layer's \
            importance per modality (α: the answer KL when the layer's routed experts are bypassed \
            for that modality), builds threshold grids from quantiles of the scores α·gate, and \
            walks the frontier of (text, media) thresholds for the goal: the least answer KL at a \
            skip ratio of at least --target-skip, or the most skipping that keeps exp(−KL) of at \
            least --keep. `caption --skip` then uses the file.

            Examples:
              moe-mm calibrate --checkpoint checkpoints/tiny \\
                --manifest data/scenes/val.jsonl --keep 0.99
              moe-mm calibrate --checkpoint checkpoints/tiny \\
                --manifest data/scenes/val.jsonl --target-skip 0.5 --grid 24
            """)

    @Option(help: "A trained checkpoint directory; skipping.json is written into it.")
    var checkpoint: String

    @Option(help: "A dataset manifest (JSON Lines) whose samples have answers.")
    var manifest: String

    @Option(help: "Calibrate on the manifest's first N samples.")
    var samples = 64

    @Option(help: "Skip at least this fraction of the selected (token, expert) pairs, in [0, 1].")
    var targetSkip: Double?

    @Option(help: "Keep at least this quality exp(−KL) relative to the unskipped model, in (0, 1].")
    var keep: Double?

    @Flag(help: "Separate image and audio thresholds instead of one media threshold.")
    var splitMedia = false

    @Option(help: "Thresholds per grid axis (quantiles of the scores), at least 2.")
    var grid = 16

    @Option(help: "Examples per calibration forward.")
    var batch = 8

    func validate() throws {
        guard (targetSkip == nil) != (keep == nil) else { throw ValidationError("give exactly one of --target-skip and --keep") }
        if let r = targetSkip, !(0...1).contains(r) { throw ValidationError("--target-skip must be in [0, 1], got \(r)") }
        if let q = keep, !(q > 0 && q <= 1) { throw ValidationError("--keep must be in (0, 1], got \(q)") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        guard grid >= 2 else { throw ValidationError("--grid must be at least 2") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        try checkInputs(checkpoint: checkpoint, manifest: manifest)
    }

    func run() throws {
        let loaded = try LoadedCheckpoint(checkpoint)
        let (_, examples) = try calibrationSet(manifest, count: samples, builder: loaded.builder)
        let goal: SkipGoal = targetSkip.map { .skipAtLeast($0) } ?? .keepAtLeast(keep!)
        let calibration = try Calibration(model: loaded.model, examples: examples, batchSize: batch)
        let file = try calibration.calibrate(goal, grid: GridOptions(textPoints: grid, mediaPoints: grid, splitMedia: splitMedia))
        let url = loaded.directory.appendingPathComponent(SkippingFile.fileName)
        try file.write(to: url)

        print("calibrated on \(examples.count) samples (\(calibration.answerTokens) answer tokens), goal: \(goal)")
        printAlpha(file.alpha, layers: file.moeLayers, present: calibration.modalities)
        let tau = file.tau
        print("thresholds: text \(fmt(tau.text))" + (tau.media.map { ", media \(fmt($0))" } ?? "")
            + (tau.image.map { ", image \(fmt($0))" } ?? "") + (tau.audio.map { ", audio \(fmt($0))" } ?? ""))
        let c = file.chosen
        print(String(format: "reached: skip ratio %.3f, answer KL %.4f nats (quality kept exp(−KL) %.4f), CE %.4f (unskipped %.4f)",
                     c.skipRatio, c.kl, Foundation.exp(-c.kl), c.crossEntropy, calibration.unskipped.crossEntropy))
        let probes = importanceProbes(calibration)
        print("passes: 1 unskipped + \(probes) importance probes + \(file.walk.count) on the frontier walk "
            + "(\(file.walk.filter(\.onFrontier).count) frontier points; grid \(file.grids.textCount)×\(file.grids.mediaCount) = \(file.grids.textCount * file.grids.mediaCount))")
        print("wrote \(url.path)")
    }

    /// One bypass pass per MoE layer and modality present in the data that the layer routes.
    func importanceProbes(_ c: Calibration) -> Int {
        c.model.moeLayers.reduce(0) { n, layer in
            n + c.modalities.filter { m in layer.groups.contains { $0.modalities.contains(m) } }.count
        }
    }
}

/// α as a table: one row per MoE layer (its decoder index), one column per modality; a
/// modality absent from the calibration data is marked, as its α is uniform rather than measured.
func printAlpha(_ alpha: [[Float]], layers: [Int], present: Set<Modality>) {
    print("importance α (per modality, sums to 1 over layers):")
    print("  layer" + Modality.allCases.map { m in rightAligned("\(m)" + (present.contains(m) ? "" : "*"), 8) }.joined())
    for (row, layer) in zip(alpha, layers) {
        print(rightAligned("\(layer)", 7) + row.map { rightAligned(String(format: "%.3f", $0), 8) }.joined())
    }
    if present.count < Modality.allCases.count { print("  * not in the calibration data: uniform over the layers that route it") }
}

/// `text` right-aligned in `width` columns.
func rightAligned(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

func fmt(_ x: Float) -> String { x == ThresholdGrid.skipAll ? "all" : String(format: "%.5g", x) }

/// Checks that the checkpoint is a directory and the manifest a file, before any work.
func checkInputs(checkpoint: String, manifest: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("\(checkpoint): no such checkpoint directory")
    }
    guard FileManager.default.fileExists(atPath: manifest, isDirectory: &isDirectory), !isDirectory.boolValue else {
        throw ValidationError("\(manifest): no such manifest file")
    }
}

/// The manifest's first `count` samples and their examples with answers as targets.
func calibrationSet(_ manifest: String, count: Int, builder: ExampleBuilder) throws -> (samples: [Sample], examples: [Example]) {
    let samples = Array(try Manifest(contentsOf: URL(fileURLWithPath: manifest)).samples.prefix(count))
    let examples = try samples.map { sample in
        do { return try builder.example(sample) } catch {
            throw InputError("\(manifest):\(sample.line): \(error)")
        }
    }
    return (samples, examples)
}
