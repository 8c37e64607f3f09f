import Foundation

/// The numbers of an `evaluation.json` (as `moe-mm evaluate` writes it), read loosely: every
/// row's name and its metrics by JSON key, whatever keys a newer evaluate adds (such as
/// `object_accuracy`), so the comparison report reads them when present.
public struct RunEvaluation: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        /// The benchmark row's name: the manifest's (`caption`), or `manifest[task]`.
        public var name: String
        public var samples: Int
        public var metrics: [String: Double]
        public init(name: String, samples: Int, metrics: [String: Double]) {
            self.name = name; self.samples = samples; self.metrics = metrics
        }
    }

    public var rows: [Row]
    /// How evaluate ran (`batch_size`, `max_tokens`, `search`, `limit`, `skip`).
    public var settings: [String: String]

    public init(rows: [Row], settings: [String: String] = [:]) {
        self.rows = rows; self.settings = settings
    }

    /// `key` of the row named `benchmark`, if both are there.
    public func metric(_ key: String, in benchmark: String) -> Double? {
        rows.first { $0.name == benchmark }?.metrics[key]
    }

    /// The benchmark manifests that were run (what `--only` named), in report order.
    public var benchmarks: [String] {
        var names: [String] = []
        for row in rows {
            let name = row.name.split(separator: "[").first.map(String.init) ?? row.name
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    public static func load(_ url: URL) throws -> RunEvaluation {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ReportError("\(url.path): cannot read (\(error.localizedDescription))")
        }
        do { return try parse(data) } catch let e as ReportError { throw ReportError("\(url.path): \(e.description)") }
    }

    public static func parse(_ data: Data) throws -> RunEvaluation {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReportError("not a JSON object")
        }
        guard let list = object["benchmarks"] as? [[String: Any]] else { throw ReportError("no \"benchmarks\" list") }
        let rows = try list.enumerated().map { i, row -> Row in
            guard let name = row["name"] as? String else { throw ReportError("benchmark \(i) has no \"name\"") }
            var metrics: [String: Double] = [:]
            for (key, value) in row["metrics"] as? [String: Any] ?? [:] {
                guard let n = value as? NSNumber, n.doubleValue.isFinite else {
                    throw ReportError("benchmark \"\(name)\": metric \"\(key)\" is not a finite number")
                }
                metrics[key] = n.doubleValue
            }
            return Row(name: name, samples: (row["samples"] as? NSNumber)?.intValue ?? 0, metrics: metrics)
        }
        let settings = (object["settings"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        return RunEvaluation(rows: rows, settings: settings)
    }
}
