import Foundation

/// An x–y chart as inline SVG: gridlines, labelled ticks on both axes, axis titles, lines or
/// point markers per series, an optional shaded horizontal band, and a legend underneath.
struct LineChart {
    /// `markedLine`: a line through point markers (for sparse series such as validation numbers).
    enum Style { case line, faintLine, markers, markedLine }

    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var style: Style = .line
        /// Whether the legend lists it (a faint raw line next to its smoothed twin need not).
        var inLegend = true
    }

    var xLabel: String
    var yLabel: String
    var series: [Series]
    var band: ChartBand?
    var integerX = true
    var width = 520.0
    var height = 300.0

    /// Lines with more points than this are reduced to each bucket's extremes (spikes stay visible).
    static let maxLinePoints = 1200

    func svg() -> String {
        let frame = PlotFrame(width: width, height: height)
        let x0 = frame.x0, x1 = frame.x1, y0 = frame.y0, y1 = frame.y1
        let xs = series.flatMap { $0.points.map(\.x) }
        var ys = series.flatMap { $0.points.map(\.y) }
        if let band { ys += [band.low, band.high] }
        // A little headroom so a flat line does not sit on the frame (never below zero for
        // non-negative data such as losses).
        let high = ys.max() ?? 0, low = ys.min() ?? 0, spread = high - low
        let padded = [high + 0.03 * spread, low >= 0 ? max(0, low - 0.03 * spread) : low - 0.03 * spread]
        let xa = Axis(xs, integer: integerX), ya = Axis(ys + padded)

        var s = frame.open(title: "\(yLabel) against \(xLabel)", yAxis: ya, band: band)
        for t in xa.ticks {
            let x = xa.map(t, x0, x1)
            s += "<line x1=\"\(c(x))\" x2=\"\(c(x))\" y1=\"\(c(y0))\" y2=\"\(c(y0 + 5))\" stroke=\"#666666\"/>"
            s += "<text x=\"\(c(x))\" y=\"\(c(y0 + 18))\" text-anchor=\"middle\" class=\"tick\">\(xa.label(t))</text>"
        }
        s += "<text x=\"\(c((x0 + x1) / 2))\" y=\"\(c(height - 8))\" text-anchor=\"middle\" class=\"axis\">\(Markup.escape(xLabel))</text>"
        s += frame.yAxisLabel(yLabel)

        for line in series where line.style != .markers && line.points.count > 1 {
            let pts = Self.reduce(line.points).map { "\(c(xa.map($0.x, x0, x1))),\(c(ya.map($0.y, y0, y1)))" }
            let (width, opacity) = line.style == .faintLine ? (1.0, 0.3) : (1.8, 1.0)
            s += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"\(width)\" stroke-opacity=\"\(opacity)\" stroke-linejoin=\"round\" points=\"\(pts.joined(separator: " "))\"/>"
        }
        // Markers for marker series, and for a line with a single point, which draws nothing.
        for dots in series where dots.style == .markers || dots.style == .markedLine || (dots.style == .line && dots.points.count == 1) {
            for p in dots.points {
                s += "<circle cx=\"\(c(xa.map(p.x, x0, x1)))\" cy=\"\(c(ya.map(p.y, y0, y1)))\" r=\"4\" fill=\"\(dots.color)\" stroke=\"#ffffff\" stroke-width=\"1.2\">"
                s += "<title>\(Markup.escape(dots.name)) at \(Int(p.x)): \(Markup.number(p.y))</title></circle>"
            }
        }
        return s + "</svg>"
    }

    /// The chart and its legend as one HTML figure.
    func html(caption: String) -> String {
        let legend = series.filter(\.inLegend).map { LegendEntry(name: $0.name, color: $0.color, shape: $0.style == .markers || $0.style == .markedLine ? .dot : .swatch) }
        return "<figure class=\"chart\"><figcaption>\(Markup.escape(caption))</figcaption>" + svg() + LegendEntry.html(legend) + "</figure>"
    }

    private func c(_ v: Double) -> String { Markup.coordinate(v) }

    /// Keeps each bucket's first, lowest and highest point, in x order, when there are too many.
    static func reduce(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard points.count > maxLinePoints else { return points }
        let bucket = (points.count + maxLinePoints / 3 - 1) / (maxLinePoints / 3)
        var out: [(x: Double, y: Double)] = []
        var start = 0
        while start < points.count {
            let chunk = points[start..<min(start + bucket, points.count)]
            let lo = chunk.indices.min { chunk[$0].y < chunk[$1].y }!, hi = chunk.indices.max { chunk[$0].y < chunk[$1].y }!
            for i in Set([chunk.startIndex, lo, hi]).sorted() { out.append(points[i]) }
            start += bucket
        }
        if let last = points.last, out.last?.x != last.x { out.append(last) }
        return out
    }
}
