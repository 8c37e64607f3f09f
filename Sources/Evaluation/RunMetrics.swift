import Foundation

/// A run's `metrics.jsonl` as the trainer writes it: one JSON object per line, training lines
/// with `loss` (and `lm_loss`, `balance_loss`, `kl_loss`, `lr`, `grad_norm`, `tokens_per_s`,
/// `tokens_<modality>`, `mean_context`, `elapsed_s`, `expert_load`, `pair_kl`), validation lines with `val_loss` and possibly other numbers.
/// Lines that cannot be read are kept as `problems` with their line number; the rest is used.
public struct RunMetrics: Sendable {
    public struct TrainingPoint: Sendable, Equatable {
        public var step: Int
        /// Numeric fields by key (`loss`, `lm_loss`, …), whichever the line has.
        public var values: [String: Double]
        /// Selections per expert, keyed `"moeIndex.group"`.
        public var expertLoad: [String: [Int]]
        /// Symmetric KL, keyed `"moeIndex.group.a-b"`.
        public var pairKL: [String: Double]
    }

    public struct ValidationPoint: Sendable, Equatable {
        public var step: Int
        public var values: [String: Double]
    }

    /// A line that was left out, and why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public var training: [TrainingPoint] = []
    public var validation: [ValidationPoint] = []
    public var problems: [Problem] = []

    /// Reads `url`; only an unreadable file throws, broken lines become `problems`.
    public static func load(_ url: URL) throws -> RunMetrics {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ReportError("\(url.path): cannot read (\(error.localizedDescription))")
        }
        return parse(data)
    }

    /// Reads every line it can (blank lines are skipped); points come back sorted by step.
    public static func parse(_ data: Data) -> RunMetrics {
        var out = RunMetrics()
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (i, raw) in lines.enumerated() {
            let line = Data(raw)
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
            do {
                let (training, validation) = try read(line)
                if let training { out.training.append(training) }
                if let validation { out.validation.append(validation) }
            } catch let e as ReportError {
                out.problems.append(Problem(line: i + 1, reason: e.description))
            } catch {
                out.problems.append(Problem(line: i + 1, reason: "\(error)"))
            }
        }
        out.training.sort { $0.step < $1.step }
        out.validation.sort { $0.step < $1.step }
        return out
    }

    static let trainingKeys = ["loss", "lm_loss", "balance_loss", "kl_loss", "lr", "grad_norm", "tokens_per_s",
                               "tokens_text", "tokens_image", "tokens_audio", "mean_context", "elapsed_s"]

    private static func read(_ line: Data) throws -> (TrainingPoint?, ValidationPoint?) {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: line) } catch { throw ReportError("not valid JSON") }
        guard let object = parsed as? [String: Any] else { throw ReportError("not a JSON object") }
        guard let step = integer(object["step"]), step >= 0 else { throw ReportError("no non-negative integer \"step\"") }
        guard object["loss"] != nil || object["val_loss"] != nil else { throw ReportError("neither \"loss\" nor \"val_loss\"") }

        var training: TrainingPoint?
        if object["loss"] != nil {
            var values: [String: Double] = [:]
            for key in trainingKeys where object[key] != nil {
                guard let v = number(object[key]) else { throw ReportError("\"\(key)\" is not a finite number") }
                values[key] = v
            }
            var load: [String: [Int]] = [:]
            if let raw = object["expert_load"] {
                guard let dict = raw as? [String: Any] else { throw ReportError("\"expert_load\" is not an object") }
                for (key, counts) in dict {
                    let list = counts as? [Any] ?? []
                    let ints = list.compactMap(integer)
                    guard counts is [Any], ints.count == list.count else {
                        throw ReportError("\"expert_load\".\"\(key)\" is not a list of integers")
                    }
                    load[key] = ints
                }
            }
            var kl: [String: Double] = [:]
            if let raw = object["pair_kl"] {
                guard let dict = raw as? [String: Any] else { throw ReportError("\"pair_kl\" is not an object") }
                for (key, v) in dict {
                    guard let d = number(v) else { throw ReportError("\"pair_kl\".\"\(key)\" is not a finite number") }
                    kl[key] = d
                }
            }
            training = TrainingPoint(step: step, values: values, expertLoad: load, pairKL: kl)
        }

        var validation: ValidationPoint?
        if object["val_loss"] != nil {
            var values: [String: Double] = [:]
            for (key, v) in object where key != "step" && !trainingKeys.contains(key) && key != "expert_load" && key != "pair_kl" {
                guard let d = number(v) else { throw ReportError("\"\(key)\" is not a finite number") }
                values[key] = d
            }
            validation = ValidationPoint(step: step, values: values)
        }
        return (training, validation)
    }

    /// A JSON number that is not a boolean (Foundation bridges both to NSNumber).
    private static func number(_ v: Any?) -> Double? {
        guard let n = v as? NSNumber, !isBoolean(n) else { return nil }
        let d = n.doubleValue
        return d.isFinite ? d : nil
    }

    private static func integer(_ v: Any?) -> Int? {
        guard let d = number(v), d == d.rounded(), abs(d) < 1e15 else { return nil }
        return Int(d)
    }

    /// JSON's true/false come back as NSNumbers of C type `char`; JSON numbers never do.
    private static func isBoolean(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }
}

/// One line naming the file or part that is wrong.
public struct ReportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
