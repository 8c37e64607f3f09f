import Evaluation
import Foundation
import Testing
import TestSupport

@Suite struct EvaluationReportTests {
    /// The fixture's benchmarks run on the tiny model, as `moe-mm evaluate` would.
    static func report() throws -> (EvaluationReport, BenchmarkFixture) {
        let fixture = try BenchmarkFixture()
        let runner = try fixture.runner(fixture.model())
        let rows = try BenchmarkRunner.manifests(in: fixture.benchmarks).flatMap { try runner.run($0) }
        return (EvaluationReport(source: "tiny", settings: ["batch_size": "2", "search": "greedy"], benchmarks: rows), fixture)
    }

    /// The cells of the Markdown file's table, header row first.
    static func markdownCells(_ markdown: String) -> [[String]] {
        markdown.split(separator: "\n").filter { $0.hasPrefix("| ") }.map { line in
            line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
        }
    }

    @Test func jsonAndMarkdownFilesAgreeWithThePrintedTable() throws {
        let (report, fixture) = try Self.report()
        let json = fixture.directory.file("out/eval.json"), markdown = fixture.directory.file("out/eval.md")
        try FileManager.default.createDirectory(at: json.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(try report.write(json: json, markdown: markdown) == [json, markdown], "files written")
        #expect(try FileManager.default.contentsOfDirectory(atPath: json.deletingLastPathComponent().path).sorted() == ["eval.json", "eval.md"],
                "only the two reports, no temporary files, should be in out/")

        let table = report.table
        #expect(Self.markdownCells(try String(contentsOf: markdown, encoding: .utf8)) == [table.headers] + table.rows,
                "the Markdown table's cells differ from the printed table's")
        let plainLines = report.text.split(separator: "\n").map(String.init)
        for row in table.rows {
            let pattern = row.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: " +")
            #expect(plainLines.contains { $0.range(of: "^\(pattern)$", options: .regularExpression) != nil },
                    "no printed line holds the row \(row)")
        }

        // Decoded from the file, the report gives the same table: the JSON holds every number shown.
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: json))
        #expect(decoded.table == table, "the table made from eval.json differs from the printed one")
        // And each shown number is the JSON value, rounded.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let rows = try #require(object["benchmarks"] as? [[String: Any]])
        for (r, row) in rows.enumerated() {
            let metrics = try #require(row["metrics"] as? [String: Double], "row \(r) metrics")
            for metric in QualityMetric.allCases {
                guard let column = table.headers.firstIndex(of: metric.label) else { continue }
                let cell = table.rows[r][column]
                guard let value = metrics[metric.rawValue] else {
                    #expect(cell == "–", "row \(r) \(metric.label): cell \(cell) but no JSON value")
                    continue
                }
                let shown = try #require(Double(cell), "row \(r) \(metric.label): cell \(cell) is not a number")
                #expect(abs(shown - value) <= 0.5 * pow(10, Double(-metric.decimals)) + 1e-12,
                        "row \(r) \(metric.label): shown \(cell), JSON \(value)")
            }
            let efficiency = try #require(row["efficiency"] as? [String: Any], "row \(r) efficiency")
            let tokensPerSecond = try #require(efficiency["tokens_per_second"] as? Double)
            let shown = try #require(Double(table.rows[r][table.headers.firstIndex(of: "tok/s")!]))
            #expect(abs(shown - tokensPerSecond) <= 0.05 + 1e-9, "row \(r) tok/s: shown \(shown), JSON \(tokensPerSecond)")
        }
        #expect(table.headers.prefix(4) == ["benchmark", "task", "samples", "bad"], "leading columns \(table.headers.prefix(4))")
        for metric in QualityMetric.allCases {
            #expect(table.headers.contains(metric.label), "the table lacks a \(metric.label) column; headers \(table.headers)")
        }
        #expect(report.markdown.contains("vqa.jsonl:2: not valid JSON"),
                "the Markdown should list vqa's broken line:\n\(report.markdown)")
    }

    @Test func plainTableAlignsColumnsAndMarkdownEscapesPipes() {
        let table = TextTable(headers: ["name", "n"], rows: [["a|b", "7"], ["long name", "12"]], rightAligned: [1])
        #expect(table.plain == "name        n\n---------  --\na|b         7\nlong name  12\n", "plain:\n\(table.plain)")
        #expect(table.markdown == "| name | n |\n|---|---:|\n| a\\|b | 7 |\n| long name | 12 |\n", "markdown:\n\(table.markdown)")
    }
}
