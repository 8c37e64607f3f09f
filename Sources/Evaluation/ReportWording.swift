import Foundation

/// How the comparison report's sentences compare two numbers, and how its cells print them
/// (with the decimals of the command that printed each number first).
enum ReportWording {
    /// Two results within this fraction of the larger one are called level: each variant is one
    /// run with one seed, so a smaller gap is no evidence either way.
    static let levelTolerance = 0.01

    enum Outcome: Equatable { case better, worse, level }

    /// Whether `a` is better than `b`, worse, or level with it.
    static func outcome(_ a: Double, vs b: Double, lowerIsBetter: Bool) -> Outcome {
        if abs(a - b) <= levelTolerance * max(abs(a), abs(b)) { return .level }
        return (a < b) == lowerIsBetter ? .better : .worse
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        value.isFinite ? String(format: "%.\(decimals)f", value) : "\(value)"
    }

    static func percent(_ fraction: Double) -> String { fixed(fraction * 100, 1) + "%" }

    static func times(_ factor: Double) -> String { fixed(factor, 2) + "×" }

    /// `1h02m`, `41m12s` or `12.3 s`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return fixed(seconds, 1) + " s"
    }

    /// The unit the report's FLOP columns share, chosen so the largest total reads as a few digits.
    static func flopUnit(largest: Double) -> (name: String, scale: Double) {
        if largest >= 1e15 { return ("PFLOP", 1e15) }
        if largest >= 1e12 { return ("TFLOP", 1e12) }
        return ("GFLOP", 1e9)
    }

    /// A count as is below a million, else in millions (three decimals below 10M).
    static func count(_ n: Int) -> String {
        guard n >= 1_000_000 else { return "\(n)" }
        let m = Double(n) / 1e6
        return fixed(m, m < 10 ? 3 : 2) + "M"
    }

    /// "a, b and c".
    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    static let none = "–"
}
