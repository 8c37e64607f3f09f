import Foundation
import Kernels

/// What `moe-mm evaluate` prints and writes: one row per benchmark (and task), as an aligned
/// table on the terminal, a Markdown file and a JSON file. The table and the Markdown are made
/// from the same cells, and every cell is a JSON number rounded for display.
public struct EvaluationReport: Codable, Sendable {
    /// What was evaluated: the checkpoint directory, or the predictions file.
    public var source: String
    /// How it ran (batch size, search, skipping, ...), shown as `key=value`.
    public var settings: [String: String]
    public var benchmarks: [BenchmarkResult]

    public init(source: String, settings: [String: String] = [:], benchmarks: [BenchmarkResult]) {
        self.source = source; self.settings = settings; self.benchmarks = benchmarks
    }

    /// Keys sorted and indented, so equal reports give equal bytes.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// The table: identity and counts, the quality metrics any row has, then cost columns.
    public var table: TextTable {
        var columns: [Column] = [
            Column("benchmark") { $0.name },
            Column("task") { $0.task?.rawValue ?? Self.none },
            Column("samples", right: true) { "\($0.samples)" },
            Column("bad", right: true) { "\($0.problems.count)" },
        ]
        if benchmarks.contains(where: { $0.missingIds != nil || $0.extraIds != nil }) {
            columns.append(Column("missing", right: true) { "\($0.missingIds?.count ?? 0)" })
            columns.append(Column("extra", right: true) { "\($0.extraIds?.count ?? 0)" })
        }
        for metric in QualityMetric.allCases where benchmarks.contains(where: { $0.metrics[metric] != nil }) {
            columns.append(Column(metric.label, right: true) { $0.metrics[metric].map { Self.fixed($0, metric.decimals) } ?? Self.none })
        }
        columns += costColumns
        return TextTable(headers: columns.map(\.header), rows: benchmarks.map { row in columns.map { $0.cell(row) } },
                         rightAligned: Set(columns.indices.filter { columns[$0].right }))
    }

    private var costColumns: [Column] {
        let rows = benchmarks.compactMap(\.efficiency)
        guard !rows.isEmpty else { return [] }
        func cost(_ header: String, _ cell: @escaping (Efficiency) -> String?) -> Column {
            Column(header, right: true) { $0.efficiency.flatMap(cell) ?? Self.none }
        }
        func pair(_ p: Percentiles, _ decimals: Int) -> String { Self.fixed(p.p50, decimals) + "/" + Self.fixed(p.p95, decimals) }
        var columns = [
            cost("tok/s") { Self.fixed($0.tokensPerSecond, 1) },
            cost("prefill ms p50/p95") { pair($0.prefillMs, 1) },
        ]
        if rows.contains(where: { $0.perTokenMs != nil }) { columns.append(cost("ms/tok p50/p95") { $0.perTokenMs.map { pair($0, 2) } }) }
        if rows.contains(where: { $0.skipRatio != nil }) { columns.append(cost("skip %") { $0.skipRatio.map { Self.fixed($0 * 100, 1) } }) }
        columns += [
            cost("MFLOP/tok") { Self.fixed($0.flopsPerToken / 1e6, 3) },
            cost("active M") { Self.fixed($0.parametersActive / 1e6, 3) },
            cost("params M") { Self.fixed(Double($0.parametersTotal) / 1e6, 3) },
            cost("peak MiB") { Self.fixed($0.peakMemoryMiB, 0) },
        ]
        return columns
    }

    /// The terminal version: a heading line, the table, then every left-out sample and id.
    public var text: String {
        var out = "evaluation of \(source)\n"
        if !settings.isEmpty { out += "settings: \(settingsLine)\n" }
        out += "\n" + table.plain
        let notes = problemLines
        if !notes.isEmpty { out += "\n" + notes.joined(separator: "\n") + "\n" }
        return out
    }

    /// The Markdown file: the same table, what its cost columns mean, and the left-out samples.
    public var markdown: String {
        var out = "# Evaluation of \(Self.code(source))\n\n"
        if !settings.isEmpty { out += "Settings: \(settingsLine).\n\n" }
        out += table.markdown
        if benchmarks.contains(where: { $0.efficiency != nil }) { out += "\n" + Self.costNotes }
        let notes = problemLines
        if !notes.isEmpty { out += "\n## Left out\n\n" + notes.map { "- " + Self.code($0) }.joined(separator: "\n") + "\n" }
        return out
    }

    /// Writes the JSON and the Markdown where asked, each atomically; returns the files written.
    @discardableResult
    public func write(json jsonURL: URL?, markdown markdownURL: URL?) throws -> [URL] {
        var written: [URL] = []
        if let jsonURL {
            try AtomicFile.write(try json(), to: jsonURL)
            written.append(jsonURL)
        }
        if let markdownURL {
            try AtomicFile.write(Data(markdown.utf8), to: markdownURL)
            written.append(markdownURL)
        }
        return written
    }

    private var settingsLine: String { settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") }

    private var problemLines: [String] {
        benchmarks.flatMap { row -> [String] in
            var lines = row.problems
            if let missing = row.missingIds, !missing.isEmpty {
                lines.append("\(row.manifest): \(missing.count) sample\(missing.count == 1 ? "" : "s") with no prediction: \(missing.joined(separator: ", "))")
            }
            if let extra = row.extraIds, !extra.isEmpty {
                lines.append("\(row.manifest): \(extra.count) prediction\(extra.count == 1 ? "" : "s") for ids not in the benchmark: \(extra.joined(separator: ", "))")
            }
            return lines
        }
    }

    static let costNotes = """
        Samples run in batches; a generation batch is one prefill forward (encoders and prompt streams)
        and then decoding steps that give every unfinished answer one token.
        *prefill ms*: a batch's prefill wall time (for `text`, its teacher-forced scoring forward);
        *ms/tok*: a batch's decoding time over its longest answer (one step); both p50/p95 over batches.
        *tok/s*: tokens produced (`<|eos|>` included; for `text`, tokens scored) per second of model time.
        *MFLOP/tok*, *active M*: forward FLOPs and weights per produced text token at the mean context,
        with the routed experts that skipping left out taken off. *peak MiB*: the process's peak resident
        memory (`ru_maxrss`) when the row finished.

        """

    struct Column {
        let header: String
        let right: Bool
        let cell: (BenchmarkResult) -> String
        init(_ header: String, right: Bool = false, _ cell: @escaping (BenchmarkResult) -> String) {
            self.header = header; self.right = right; self.cell = cell
        }
    }

    static let none = "–"

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        value.isFinite ? String(format: "%.\(decimals)f", value) : "\(value)"
    }

    static func code(_ text: String) -> String { "`" + text.replacingOccurrences(of: "`", with: "'") + "`" }
}
