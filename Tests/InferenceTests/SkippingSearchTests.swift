import Foundation
import Inference
import Inputs
import Kernels
import Model
import Testing
import TestSupport

@Suite struct SkippingSearchTests {
    typealias Tiny = SkippingTinyModel

    @Test(arguments: [0.2, 0.5])
    func searchReachesTheRequestedSkipRatio(target: Double) throws {
        let cal = try Calibration(model: Tiny.model(), examples: Tiny.calibrationExamples, batchSize: 3)
        let file = try cal.calibrate(.skipAtLeast(target), grid: GridOptions(textPoints: 8, mediaPoints: 8))
        let n = file.grids.textCount, m = file.grids.mediaCount
        #expect(file.chosen.skipRatio >= target, "target \(target): chosen point skips \(file.chosen.skipRatio)")

        // Every pass is a distinct grid point; the constraint walk is O(N + M) plus one pass per
        // frontier row the walk did not already measure.
        let points = file.walk.map { [$0.textIndex, $0.mediaIndex] }
        #expect(Set(points).count == points.count, "target \(target): a grid point was measured twice: \(points)")
        let frontier = file.walk.filter(\.onFrontier)
        #expect(file.walk.count <= n + m + frontier.count, "target \(target): \(file.walk.count) passes on a \(n)×\(m) grid")
        let feasible = frontier.filter { $0.skipRatio >= target }
        #expect(file.chosen.kl == feasible.map(\.kl).min(), "target \(target): chose KL \(file.chosen.kl), frontier minimum \(String(describing: feasible.map(\.kl).min()))")

        // Installed from the file, the rules skip the same pairs on the same batches.
        let model = Tiny.model()
        try file.install(into: model)
        var count = SkipCount()
        for start in stride(from: 0, to: Tiny.calibrationExamples.count, by: 3) {
            let examples = Array(Tiny.calibrationExamples[start..<min(start + 3, Tiny.calibrationExamples.count)])
            _ = model.forward(Batch(examples, config: Tiny.config))
            for layer in model.moeLayers { count += layer.skipCount }
        }
        #expect(count.ratio == file.chosen.skipRatio, "target \(target): installed rules skip \(count.ratio), calibration measured \(file.chosen.skipRatio)")
    }

    @Test func keepingQualityBoundsTheDivergence() throws {
        let cal = try Calibration(model: Tiny.model(), examples: Tiny.calibrationExamples, batchSize: 3)
        let q = 0.97
        let file = try cal.calibrate(.keepAtLeast(q), grid: GridOptions(textPoints: 8, mediaPoints: 8))
        #expect(file.chosen.kl <= -Foundation.log(q), "kept exp(−KL) = \(Foundation.exp(-file.chosen.kl)), asked \(q)")
        #expect(file.chosen.skipRatio > 0, "keeping \(q) of quality allowed no skipping at all")
        let best = file.walk.filter(\.onFrontier).map(\.skipRatio).max()
        #expect(file.chosen.skipRatio == best, "chose skip \(file.chosen.skipRatio), frontier maximum \(String(describing: best))")
    }

    @Test func skippingFileRoundTripsAndRefusesAModelWithOtherLayers() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let cal = try Calibration(model: Tiny.model(), examples: Tiny.calibrationExamples, batchSize: 3)
        let url = dir.url.appendingPathComponent(SkippingFile.fileName)
        for split in [false, true] {
            let file = try cal.calibrate(.skipAtLeast(0.3), grid: GridOptions(textPoints: 6, mediaPoints: 6, splitMedia: split))
            try file.write(to: url)
            let loaded = try SkippingFile.load(url)
            #expect(loaded == file, "split \(split): the file read back differs from the one written")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            let tauKeys = Set((json["tau"] as! [String: Any]).keys)
            #expect(tauKeys == (split ? ["text", "image", "audio"] : ["text", "media"]), "split \(split): tau keys \(tauKeys)")
            #expect(Set(json.keys).isSuperset(of: ["alpha", "moe_layers", "grids", "walk", "chosen", "goal", "calibration"]),
                    "split \(split): keys \(json.keys.sorted())")
            #expect((json["calibration"] as! [String: Any])["examples"] as? Int == Tiny.calibrationExamples.count,
                    "split \(split): calibration \(String(describing: json["calibration"]))")

            let model = Tiny.model()
            try SkippingFile.install(url, into: model)
            let tau = try #require(loaded.tau.values)
            #expect(model.moeLayers.map(\.skip) == loaded.alpha.map { SkipRule(alpha: $0, tau: tau) },
                    "split \(split): installed rules \(model.moeLayers.map(\.skip))")
            if split {
                #expect(file.grids.image != file.grids.audio, "split media grids are identical: \(file.grids.image)")
            }
        }

        // The ordinary tiny model has one MoE layer (decoder layer 1), the file two.
        let other = MultimodalMoE(tinyTestConfig())
        do {
            try SkippingFile.install(url, into: other)
            Issue.record("a file for two MoE layers was installed on a model with one")
        } catch let e as SkippingFileError {
            #expect(e.description.hasPrefix(url.path) && e.description.contains("2 MoE layers, the model has 1"), "error: \(e.description)")
        }
        #expect(other.moeLayers.allSatisfy { $0.skip == nil }, "a refused file left rules installed")
    }

    @Test func brokenSkippingFilesAreReportedWithTheirPath() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let url = dir.url.appendingPathComponent(SkippingFile.fileName)
        let cases: [(String, String)] = [
            ("{", "not a skipping file"),
            (#"{"version": 1}"#, "missing"),
        ]
        for (text, expected) in cases {
            try Data(text.utf8).write(to: url)
            do {
                _ = try SkippingFile.load(url)
                Issue.record("\(text) was accepted")
            } catch let e as SkippingFileError {
                #expect(e.description.hasPrefix(url.path) && e.description.contains(expected) && !e.description.contains("\n"),
                        "for \(text): \(e.description)")
            }
        }
        #expect(throws: SkippingFileError.self) { try SkippingFile.load(dir.url.appendingPathComponent("absent.json")) }
    }
}
