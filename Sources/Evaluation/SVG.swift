import Foundation

/// Small helpers shared by the report's charts. Everything is written as well-formed XML
/// (quoted attributes, escaped text, closed elements), so each `<svg>` parses on its own.
enum Markup {
    /// Escapes text and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate with one decimal, without a trailing ".0".
    static func coordinate(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    /// A number for people: up to 4 significant digits, no exponent for ordinary magnitudes.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1e5 || a < 1e-4 { return String(format: "%.3g", v) }
        let decimals = max(0, 3 - Int(Foundation.floor(Foundation.log10(a))))
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    static func percent(_ v: Double) -> String { String(format: "%.0f%%", v * 100) }
}

/// A linear axis with "nice" ticks (steps of 1, 2, 2.5 or 5 times a power of ten) covering the data.
struct Axis {
    let lo: Double
    let hi: Double
    let ticks: [Double]
    let step: Double

    /// `values` set the range; `integer` keeps ticks on whole numbers (steps); `zero` forces 0 in.
    init(_ values: [Double], integer: Bool = false, zero: Bool = false, count: Int = 5) {
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if zero { lo = min(lo, 0); hi = max(hi, 0) }
        if hi - lo < 1e-12 {
            let pad = integer ? 1 : (abs(lo) > 0 ? abs(lo) * 0.1 : 1)
            lo -= pad; hi += pad
            if zero && values.allSatisfy({ $0 >= 0 }) { lo = max(lo, 0) }
        }
        let rough = (hi - lo) / Double(count)
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(rough)))
        let multipliers: [Double] = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]
        var step = (multipliers.map { $0 * magnitude }.first { $0 >= rough }) ?? 10 * magnitude
        if integer { step = max(1, step.rounded()) }
        self.step = step
        self.lo = Foundation.floor(lo / step + 1e-9) * step
        self.hi = Foundation.ceil(hi / step - 1e-9) * step
        var t: [Double] = []
        var v = self.lo
        while v <= self.hi + step * 1e-6 {
            t.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        ticks = t
    }

    /// Maps `v` from [lo, hi] to [a, b].
    func map(_ v: Double, _ a: Double, _ b: Double) -> Double {
        a + (v - lo) / (hi - lo) * (b - a)
    }

    func label(_ v: Double) -> String { Axis.format(v) }

    /// A data value at one decimal finer than the ticks (for labels on bars).
    func valueLabel(_ v: Double) -> String {
        let decimals = max(0, Int(-Foundation.floor(Foundation.log10(step) + 1e-9))) + 1
        return String(format: "%.\(min(decimals, 6))f", v)
    }

    /// A tick value: "12k" for 12000, otherwise up to 4 significant digits.
    static func format(_ v: Double) -> String {
        if abs(v) >= 10_000, v.truncatingRemainder(dividingBy: 1000) == 0 { return "\(Int(v / 1000))k" }
        return Markup.number(v)
    }
}

/// Chart colours: a qualitative palette (Tableau 10, readable on white) for series.
enum Palette {
    static let series = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    static func color(_ i: Int) -> String { series[i % series.count] }

    /// A sequential blue scale for heatmaps: t in [0, 1], light to dark.
    static func sequential(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107)]
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2), f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// Text on a sequential cell: dark on light cells, white on dark ones.
    static func ink(_ t: Double) -> String { t > 0.55 ? "#ffffff" : "#1a1a1a" }
}

/// A legend entry shown under a chart.
struct LegendEntry {
    enum Shape: String { case swatch, dot, square }
    var name: String
    var color: String
    var shape = Shape.swatch

    static func html(_ entries: [LegendEntry]) -> String {
        guard !entries.isEmpty else { return "" }
        let items = entries.map { e in
            "<span class=\"key\"><span class=\"\(e.shape.rawValue)\" style=\"background:\(e.color)\"></span>\(Markup.escape(e.name))</span>"
        }
        return "<div class=\"legend\">" + items.joined() + "</div>"
    }
}

/// A shaded horizontal range on a chart, e.g. the KL band.
typealias ChartBand = (low: Double, high: Double, label: String)

/// What every chart shares: the svg element and its plot box (fixed margins for the tick and
/// axis labels), an optional shaded band, the y grid with its tick labels, and the rotated
/// y-axis label. A chart draws its own marks between `open` and `close`.
struct PlotFrame {
    let width: Double, height: Double
    var x0: Double { 64 }
    var x1: Double { width - 16 }
    var y0: Double { height - 48 }
    var y1: Double { 12 }

    func open(title: String, yAxis ya: Axis, band: ChartBand?) -> String {
        func c(_ v: Double) -> String { Markup.coordinate(v) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
        s += "<title>\(Markup.escape(title))</title>"
        s += "<rect x=\"\(c(x0))\" y=\"\(c(y1))\" width=\"\(c(x1 - x0))\" height=\"\(c(y0 - y1))\" fill=\"#ffffff\" stroke=\"#bbbbbb\"/>"
        if let band {
            let a = ya.map(band.high, y0, y1), b = ya.map(band.low, y0, y1)
            s += "<rect x=\"\(c(x0))\" y=\"\(c(a))\" width=\"\(c(x1 - x0))\" height=\"\(c(max(b - a, 1)))\" fill=\"#2ca02c\" fill-opacity=\"0.12\"/>"
            s += "<text x=\"\(c(x1 - 6))\" y=\"\(c(a - 4))\" text-anchor=\"end\" class=\"note\">\(Markup.escape(band.label))</text>"
        }
        for t in ya.ticks {
            let y = ya.map(t, y0, y1)
            s += "<line x1=\"\(c(x0))\" x2=\"\(c(x1))\" y1=\"\(c(y))\" y2=\"\(c(y))\" stroke=\"#e6e6e6\"/>"
            s += "<text x=\"\(c(x0 - 6))\" y=\"\(c(y + 4))\" text-anchor=\"end\" class=\"tick\">\(ya.label(t))</text>"
        }
        return s
    }

    func yAxisLabel(_ label: String) -> String {
        "<text transform=\"translate(16 \(Markup.coordinate((y0 + y1) / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">\(Markup.escape(label))</text>"
    }
}
