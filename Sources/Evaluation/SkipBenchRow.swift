import Foundation

/// One line of `moe-mm bench skip --json`: a skipping method at a target skip ratio, its quality
/// and its paired speed-ups over the unskipped model.
public struct SkipBenchRow: Sendable, Equatable {
    /// "none", "modes", "top-1" or "gate-threshold".
    public var method: String
    /// nil for the unskipped model.
    public var target: Double?
    /// Teacher-forced skip ratio, and the one over the greedy generations.
    public var skipRatio: Double
    public var generationSkipRatio: Double
    /// Over the generations' text tokens alone (all a decoding step feeds); nil in output from
    /// before the bench reported it.
    public var textSkipRatio: Double?
    public var ciderD: Double?
    /// CIDEr-D over the unskipped model's.
    public var ciderDRelative: Double?
    public var moeSpeedup: Double
    public var prefillSpeedup: Double
    public var decodeSpeedup: Double
    /// Timed pairs behind each median.
    public var rounds: Int

    public init(method: String, target: Double?, skipRatio: Double, generationSkipRatio: Double, ciderD: Double?,
                ciderDRelative: Double?, moeSpeedup: Double, prefillSpeedup: Double, decodeSpeedup: Double, rounds: Int,
                textSkipRatio: Double? = nil) {
        self.method = method; self.target = target; self.skipRatio = skipRatio; self.generationSkipRatio = generationSkipRatio
        self.ciderD = ciderD; self.ciderDRelative = ciderDRelative; self.moeSpeedup = moeSpeedup
        self.prefillSpeedup = prefillSpeedup; self.decodeSpeedup = decodeSpeedup; self.rounds = rounds
        self.textSkipRatio = textSkipRatio
    }

    /// Reads the JSON Lines `bench skip --json` printed; a bad line is an error naming it.
    public static func load(_ url: URL) throws -> [SkipBenchRow] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ReportError("\(url.path): cannot read (\(error.localizedDescription))")
        }
        var rows: [SkipBenchRow] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do { rows.append(try parse(Data(line.utf8))) } catch let e as ReportError {
                throw ReportError("\(url.path):\(i + 1): \(e.description)")
            }
        }
        guard rows.contains(where: { $0.method == "none" }) else {
            throw ReportError("\(url.path): no row for the unskipped model (method \"none\"); is it `bench skip --json` output?")
        }
        return rows
    }

    public static func parse(_ line: Data) throws -> SkipBenchRow {
        guard let o = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else { throw ReportError("not a JSON object") }
        func number(_ key: String) throws -> Double {
            guard let n = o[key] as? NSNumber, n.doubleValue.isFinite else { throw ReportError("no finite number \"\(key)\"") }
            return n.doubleValue
        }
        guard let method = o["method"] as? String else { throw ReportError("no \"method\"") }
        return SkipBenchRow(
            method: method, target: (o["target"] as? NSNumber)?.doubleValue, skipRatio: try number("skip_ratio"),
            generationSkipRatio: try number("generation_skip_ratio"), ciderD: (o["cider_d"] as? NSNumber)?.doubleValue,
            ciderDRelative: (o["cider_d_vs_unskipped"] as? NSNumber)?.doubleValue, moeSpeedup: try number("moe_speedup"),
            prefillSpeedup: try number("prefill_speedup"), decodeSpeedup: try number("decode_speedup"),
            rounds: Int(try number("rounds")), textSkipRatio: (o["generation_text_skip_ratio"] as? NSNumber)?.doubleValue)
    }
}
