import Foundation

/// A matrix of coloured cells as inline SVG: row labels on the left, column labels on top,
/// the value written in each cell when it is wide enough, a hover title per cell, and a colour
/// scale underneath from 0 to `maximum`.
struct Heatmap {
    var rowLabels: [String]
    var columnLabels: [String]   // "" leaves a column unlabelled (for dense axes)
    var values: [[Double]]       // [row][column]
    var maximum: Double
    var rowTitle: String
    var columnTitle: String
    var format: (Double) -> String = Markup.percent
    var cellTitle: (Int, Int) -> String
    /// Extra attributes on the <svg> element (e.g. which layer and group it shows).
    var attributes: [(String, String)] = []
    var maxWidth = 520.0
    var cellHeight = 30.0

    func svg() -> String {
        // Wide enough for the longest row label and for the row title above the labels.
        let labelWidth = max(8 + 7 * Double(rowLabels.map(\.count).max() ?? 1) + 20, 7 * Double(rowTitle.count) + 16)
        let top = 40.0
        let columns = max(columnLabels.count, 1)
        let cellWidth = min(46, max(4, Foundation.floor((maxWidth - labelWidth - 22) / Double(columns))))
        let gridWidth = cellWidth * Double(columns), gridHeight = cellHeight * Double(rowLabels.count)
        let scaleTop = top + gridHeight + 14
        let width = max(labelWidth + gridWidth + 22, 300), height = scaleTop + 40
        let written = cellWidth >= 30 && cellHeight >= 16

        var attrs = attributes.map { " \($0.0)=\"\(Markup.escape($0.1))\"" }.joined()
        attrs += " width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\""
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\"\(attrs) role=\"img\">"
        s += "<title>\(Markup.escape(rowTitle)) × \(Markup.escape(columnTitle))</title>"
        s += "<text x=\"\(c(labelWidth + gridWidth / 2))\" y=\"13\" text-anchor=\"middle\" class=\"axis\">\(Markup.escape(columnTitle))</text>"
        s += "<text x=\"4\" y=\"\(c(top - 6))\" class=\"axis\">\(Markup.escape(rowTitle))</text>"
        // When every column is labelled but the cells are narrow, label every n-th only.
        let allLabelled = columnLabels.allSatisfy { !$0.isEmpty }
        let columnStride = allLabelled ? Self.stride(26 / cellWidth) : 1
        let rowStride = rowLabels.allSatisfy { !$0.isEmpty } ? Self.stride(14 / cellHeight) : 1
        for (j, label) in columnLabels.enumerated() where !label.isEmpty && j % columnStride == 0 {
            s += "<text x=\"\(c(labelWidth + cellWidth * (Double(j) + 0.5)))\" y=\"\(c(top - 6))\" text-anchor=\"middle\" class=\"tick\">\(Markup.escape(label))</text>"
        }
        for (i, label) in rowLabels.enumerated() {
            let y = top + cellHeight * Double(i)
            if !label.isEmpty && i % rowStride == 0 {
                s += "<text x=\"\(c(labelWidth - 6))\" y=\"\(c(y + cellHeight / 2 + 4))\" text-anchor=\"end\" class=\"tick\">\(Markup.escape(label))</text>"
            }
            for j in 0..<columns where j < values[i].count {
                let v = values[i][j], t = maximum > 0 ? v / maximum : 0
                let x = labelWidth + cellWidth * Double(j)
                s += "<rect x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(cellWidth))\" height=\"\(c(cellHeight))\" fill=\"\(Palette.sequential(t))\" stroke=\"#ffffff\" stroke-width=\"\(cellWidth >= 12 ? 1 : 0)\">"
                s += "<title>\(Markup.escape(cellTitle(i, j)))</title></rect>"
                if written {
                    s += "<text x=\"\(c(x + cellWidth / 2))\" y=\"\(c(y + cellHeight / 2 + 4))\" text-anchor=\"middle\" class=\"cell\" fill=\"\(Palette.ink(t))\">\(Markup.escape(format(v)))</text>"
                }
            }
        }
        // Colour scale: 24 steps from 0 to the maximum.
        let scaleWidth = min(200, max(gridWidth, 120)), steps = 24
        for k in 0..<steps {
            let t = (Double(k) + 0.5) / Double(steps)
            s += "<rect x=\"\(c(labelWidth + scaleWidth * Double(k) / Double(steps)))\" y=\"\(c(scaleTop))\" width=\"\(c(scaleWidth / Double(steps) + 0.5))\" height=\"10\" fill=\"\(Palette.sequential(t))\"/>"
        }
        s += "<text x=\"\(c(labelWidth))\" y=\"\(c(scaleTop + 24))\" text-anchor=\"start\" class=\"tick\">\(Markup.escape(format(0)))</text>"
        s += "<text x=\"\(c(labelWidth + scaleWidth))\" y=\"\(c(scaleTop + 24))\" text-anchor=\"end\" class=\"tick\">\(Markup.escape(format(maximum)))</text>"
        return s + "</svg>"
    }

    private func c(_ v: Double) -> String { Markup.coordinate(v) }

    /// The smallest round label stride (1, 2, 5, 10, 20, …) of at least `needed` cells.
    static func stride(_ needed: Double) -> Int {
        var base = 1
        while true {
            for m in [1, 2, 5] where Double(m * base) >= needed { return m * base }
            base *= 10
        }
    }
}
