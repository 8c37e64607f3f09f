import Foundation

/// Grouped bars as inline SVG: one cluster per category, one bar per series, a y axis from
/// zero with labelled ticks, values written over the bars when they fit, an optional band.
struct BarChart {
    struct Series {
        var name: String
        var color: String
        var values: [Double?]   // one per category; nil leaves a gap
    }

    var categories: [String]
    var yLabel: String
    var series: [Series]
    var band: (low: Double, high: Double, label: String)?
    var width = 520.0
    var height = 300.0

    func svg() -> String {
        let left = 64.0, right = 16.0, top = 12.0, bottom = 48.0
        let x0 = left, x1 = width - right, y0 = height - bottom, y1 = top
        var ys = series.flatMap { $0.values.compactMap { $0 } }
        if let band { ys += [band.low, band.high] }
        let ya = Axis(ys, zero: true)
        let slot = (x1 - x0) / Double(max(categories.count, 1))
        let barWidth = min(48, slot * 0.8 / Double(max(series.count, 1)))
        let labelled = barWidth >= 26

        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
        s += "<title>\(Markup.escape(yLabel)) per category</title>"
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
        for (ci, category) in categories.enumerated() {
            let centre = x0 + slot * (Double(ci) + 0.5)
            let first = centre - barWidth * Double(series.count) / 2
            for (si, line) in series.enumerated() {
                guard ci < line.values.count, let v = line.values[ci] else { continue }
                let top = ya.map(v, y0, y1), base = ya.map(0, y0, y1)
                let x = first + barWidth * Double(si)
                s += "<rect x=\"\(c(x + 1))\" y=\"\(c(min(top, base)))\" width=\"\(c(max(barWidth - 2, 1)))\" height=\"\(c(abs(base - top)))\" fill=\"\(line.color)\">"
                s += "<title>\(Markup.escape(category)), \(Markup.escape(line.name)): \(Markup.number(v))</title></rect>"
                if labelled {
                    s += "<text x=\"\(c(x + barWidth / 2))\" y=\"\(c(min(top, base) - 4))\" text-anchor=\"middle\" class=\"value\">\(ya.valueLabel(v))</text>"
                }
            }
            s += "<text x=\"\(c(centre))\" y=\"\(c(y0 + 18))\" text-anchor=\"middle\" class=\"tick\">\(Markup.escape(category))</text>"
        }
        s += "<text transform=\"translate(16 \(c((y0 + y1) / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">\(Markup.escape(yLabel))</text>"
        return s + "</svg>"
    }

    func html(caption: String) -> String {
        "<figure class=\"chart\"><figcaption>\(Markup.escape(caption))</figcaption>" + svg()
            + LegendEntry.html(series.map { LegendEntry(name: $0.name, color: $0.color, shape: .square) }) + "</figure>"
    }

    private func c(_ v: Double) -> String { Markup.coordinate(v) }
}
