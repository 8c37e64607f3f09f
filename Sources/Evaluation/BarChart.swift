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
    var band: ChartBand?
    var width = 520.0
    var height = 300.0

    func svg() -> String {
        let frame = PlotFrame(width: width, height: height)
        let x0 = frame.x0, x1 = frame.x1, y0 = frame.y0, y1 = frame.y1
        var ys = series.flatMap { $0.values.compactMap { $0 } }
        if let band { ys += [band.low, band.high] }
        let ya = Axis(ys, zero: true)
        let slot = (x1 - x0) / Double(max(categories.count, 1))
        let barWidth = min(48, slot * 0.8 / Double(max(series.count, 1)))
        let labelled = barWidth >= 26

        var s = frame.open(title: "\(yLabel) per category", yAxis: ya, band: band)
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
        s += frame.yAxisLabel(yLabel)
        return s + "</svg>"
    }

    func html(caption: String) -> String {
        "<figure class=\"chart\"><figcaption>\(Markup.escape(caption))</figcaption>" + svg()
            + LegendEntry.html(series.map { LegendEntry(name: $0.name, color: $0.color, shape: .square) }) + "</figure>"
    }

    private func c(_ v: Double) -> String { Markup.coordinate(v) }
}
