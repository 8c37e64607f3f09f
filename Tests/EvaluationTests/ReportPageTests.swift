import Evaluation
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite struct ReportPageTests {
    /// Two training lines, a validation line, and five broken lines (numbers 2, 4, 5, 6, 8).
    static let metricsText = """
        {"step": 1, "loss": 3.2, "lm_loss": 3.1, "balance_loss": 0.02, "kl_loss": 0.08, "lr": 0.001, "expert_load": {"0.media": [3, 1, 2, 2]}, "pair_kl": {"0.media.image-audio": 0.4}}
        {"step": 2, "loss": 3.0,
        {"step": 2, "loss": 2.9, "lm_loss": 2.8, "balance_loss": 0.02, "kl_loss": 0.07, "expert_load": {"0.media": [2, 2, 2, 2]}, "pair_kl": {"0.media.image-audio": 0.6}}
        [1, 2, 3]
        {"loss": 2.5}
        {"step": 3, "loss": "low"}
        {"step": 2, "val_loss": 3.05, "val_cider": 0.12}
        {"step": 4, "loss": 2.7, "lm_los
        """

    @Test func brokenMetricsLinesAreReportedWithTheirLineNumbersAndTheRestIsPlotted() {
        let metrics = RunMetrics.parse(Data(Self.metricsText.utf8))
        #expect(metrics.problems.map(\.line) == [2, 4, 5, 6, 8], "problems at lines \(metrics.problems.map(\.line))")
        #expect(metrics.problems.map(\.reason) == ["not valid JSON", "not a JSON object", "no non-negative integer \"step\"",
                                                   "\"loss\" is not a finite number", "not valid JSON"],
                "reasons: \(metrics.problems.map(\.reason))")
        #expect(metrics.training.map(\.step) == [1, 2], "training steps \(metrics.training.map(\.step))")
        #expect(metrics.training[1].values["lm_loss"] == 2.8 && metrics.training[1].expertLoad["0.media"] == [2, 2, 2, 2],
                "second training point read as \(metrics.training[1])")
        #expect(metrics.validation.first?.values == ["val_loss": 3.05, "val_cider": 0.12], "validation \(metrics.validation)")

        let html = ReportPage(title: "t", metrics: metrics, klBand: (1.5, 2), moeLayers: [1]).html()
        for line in [2, 4, 5, 6, 8] {
            #expect(html.contains("metrics.jsonl:\(line):"), "the page does not name broken line \(line)")
        }
        #expect(html.contains("5 lines of metrics.jsonl could not be read"), "the page does not count the broken lines")
        #expect(html.contains("<figcaption>Loss</figcaption>") && html.contains("validation loss"), "no loss chart with validation points")
        #expect(count("<polyline", in: html) == 5, "expected 5 curves (loss, lm, balance, kl, pair KL), found \(count("<polyline", in: html))")
        #expect(html.contains("layer 1 media: image–audio"), "the pair KL curve is not named by decoder layer")
        #expect(count("class=\"heatmap training-load\"", in: html) == 1, "expected one load-over-training heatmap")
    }

    @Test func pageHasOneLoadHeatmapPerLayerAndGroupAndIsWellFormed() throws {
        let (_, report) = RoutingReportTests.collected()
        let metrics = RunMetrics.parse(Data(Self.metricsText.utf8))
        let html = ReportPage(title: "tiny <&> \"report\"", facts: [("parameters", "1 < 2")], routing: report, metrics: metrics,
                              klBand: (1, 2), moeLayers: [0, 1]).html()
        for layer in report.layers {
            for g in layer.groups {
                let tag = "class=\"heatmap load\" data-layer=\"\(layer.layer)\" data-group=\"\(g.group)\""
                #expect(count(tag, in: html) == 1, "layer \(layer.layer) group \(g.group): \(count(tag, in: html)) load heatmaps")
            }
        }
        let groups = report.layers.reduce(0) { $0 + $1.groups.count }
        #expect(count("class=\"heatmap load\"", in: html) == groups, "\(count("class=\"heatmap load\"", in: html)) load heatmaps for \(groups) groups")
        #expect(html.contains("<figcaption>KL(p̄_a‖p̄_b) + KL(p̄_b‖p̄_a) per layer</figcaption>"), "no KL-per-layer chart")

        // Self-contained: nothing to fetch, no scripts.
        for needle in ["<script", "src=", "href=", "@import", "url("] {
            #expect(!html.contains(needle), "the page contains \(needle)")
        }
        let parser = XMLParser(data: Data(html.utf8))
        let ok = parser.parse()
        #expect(ok, "report.html is not well-formed at line \(parser.lineNumber), column \(parser.columnNumber): \(String(describing: parser.parserError))")
    }

    @Test func reportFilesAreWrittenWholeAndABadTargetIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("moe-mm-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let metrics = RunMetrics.parse(Data(Self.metricsText.utf8))
        let document = RoutingDocument(checkpoint: "c", collected: nil, lastLogged: LoggedRouting(metrics))
        #expect(document.lastLogged?.step == 2 && document.lastLogged?.pairKL == ["0.media.image-audio": 0.6],
                "last logged routing \(String(describing: document.lastLogged))")
        let written = try InspectionReport.write(document, page: ReportPage(title: "t", metrics: metrics), to: dir.appendingPathComponent("out"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).sorted()
        #expect(names == ["report.html", "routing.json"], "the report directory holds \(names)")
        #expect(try JSONDecoder().decode(RoutingDocument.self, from: Data(contentsOf: written[0])) == document, "routing.json does not read back")

        let file = dir.appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        do {
            try InspectionReport.write(document, page: ReportPage(title: "t"), to: file)
            Issue.record("writing a report over a plain file did not throw")
        } catch let e as ReportError {
            #expect(e.description == "\(file.path): exists and is not a directory", "error reads: \(e.description)")
        }
    }

    private func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
}
