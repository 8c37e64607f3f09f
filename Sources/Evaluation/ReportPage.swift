import Foundation

/// `report.html`: one self-contained page (inline CSS and SVG, no scripts, nothing fetched)
/// showing a checkpoint's routing per layer, group and modality, and its run's training curves.
/// The markup is well-formed XML throughout, so it also parses with an XML parser.
public struct ReportPage {
    public var title: String
    /// Key–value lines shown at the top (parameters, FLOPs, where the data came from).
    public var facts: [(String, String)]
    public var routing: RoutingReport?
    public var metrics: RunMetrics?
    /// The metrics file's name as shown next to its problems.
    public var metricsName: String
    /// The training KL band [low, high], drawn on the KL charts.
    public var klBand: (low: Double, high: Double)?
    /// Decoder layer index of each MoE layer (metrics keys use the MoE index).
    public var moeLayers: [Int]

    public init(title: String, facts: [(String, String)] = [], routing: RoutingReport? = nil, metrics: RunMetrics? = nil,
                metricsName: String = "metrics.jsonl", klBand: (low: Double, high: Double)? = nil, moeLayers: [Int] = []) {
        self.title = title; self.facts = facts; self.routing = routing; self.metrics = metrics
        self.metricsName = metricsName; self.klBand = klBand; self.moeLayers = moeLayers
    }

    public func html() -> String {
        var body = "<h1>\(Markup.escape(title))</h1>"
        if !facts.isEmpty {
            body += "<table class=\"facts\">" + facts.map { "<tr><th>\(Markup.escape($0.0))</th><td>\(Markup.escape($0.1))</td></tr>" }.joined() + "</table>"
        }
        body += routingSection()
        body += trainingSection()
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>\(Markup.escape(title))</title>
            <style>\(Self.css)</style></head>
            <body><main>\(body)</main></body></html>

            """
    }

    /// "layer 3" for MoE layer 1 when the decoder indices are known, else "MoE layer 1".
    func layerName(moeIndex i: Int) -> String {
        i < moeLayers.count ? "layer \(moeLayers[i])" : "MoE layer \(i)"
    }

    func bandNote(_ band: (low: Double, high: Double)) -> (low: Double, high: Double, label: String) {
        (band.low, band.high, "KL band [\(Markup.number(band.low)), \(Markup.number(band.high))]")
    }

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;background:#f4f5f7;margin:0;padding:24px}
        main{max-width:1160px;margin:0 auto}
        h1{font-size:22px;margin:0 0 12px}
        h2{font-size:18px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid #d0d4da}
        h3{font-size:15px;margin:18px 0 8px}
        h4{font-size:14px;margin:0 0 6px}
        p.lead{margin:4px 0 12px;color:#333;max-width:900px}
        table{border-collapse:collapse;font-size:13px;margin:6px 0}
        th,td{padding:3px 10px 3px 0;text-align:left;vertical-align:top}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        table.facts th{font-weight:600;color:#444;padding-right:18px;white-space:pre}
        table.stats th{border-bottom:1px solid #ccc;font-weight:600}
        .row{display:flex;flex-wrap:wrap;gap:16px}
        .card,figure.chart{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 14px;margin:0}
        figcaption{font-weight:600;margin-bottom:4px}
        .legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin-top:4px;max-width:520px}
        .key{display:inline-flex;align-items:center;gap:5px}
        .swatch{display:inline-block;width:16px;height:4px;border-radius:2px}
        .dot{display:inline-block;width:9px;height:9px;border-radius:50%}
        .square{display:inline-block;width:11px;height:11px;border-radius:2px}
        .sub{font-size:13px;font-weight:600;margin:12px 0 2px;color:#333}
        .hint{font-size:12px;color:#555;margin:0 0 6px;max-width:520px}
        .problems{background:#fff4e5;border:1px solid #f0b45c;border-radius:6px;padding:8px 14px;margin:10px 0}
        .problems li{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
        .empty{color:#555;font-style:italic}
        svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
        svg .tick{font-size:11px;fill:#444}
        svg .axis{font-size:12px;fill:#222;font-weight:600}
        svg .note{font-size:11px;fill:#237023}
        svg .value{font-size:10px;fill:#333}
        svg .cell{font-size:11px}
        """
}
