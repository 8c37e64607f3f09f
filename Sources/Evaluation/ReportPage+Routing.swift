import Foundation

extension ReportPage {
    /// Per layer and group: the load heatmap (modality × expert), the mean routing heatmap,
    /// a table of entropy and favourite experts, the pairs' KL and agreement; then KL per layer.
    func routingSection() -> String {
        guard let routing else {
            guard metrics?.training.contains(where: { !$0.expertLoad.isEmpty }) ?? false else { return "" }
            return "<h2>Routing per modality</h2><p class=\"empty\">No batches were run through this checkpoint, so routing is not split by modality here; "
                + "the expert load under Training is what the run logged per layer and group.</p>"
        }
        let tokens = routing.tokens.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        var s = "<h2>Routing per modality</h2>"
        s += "<p class=\"lead\">Pooled over \(routing.batches) batch\(routing.batches == 1 ? "" : "es") (\(Markup.escape(tokens.isEmpty ? "no" : tokens) ) tokens). "
        s += "Load: the share of a modality's tokens that select each expert (each token selects k experts, so a row sums to k). "
        s += "p̄: the modality's mean routing distribution. KL: KL(p̄_a‖p̄_b) + KL(p̄_b‖p̄_a). "
        s += "Top-k agreement: |A ∩ B| / k for the two modalities' k most-loaded experts.</p>"
        guard !routing.layers.isEmpty else { return s + "<p class=\"empty\">The model has no MoE layers.</p>" }
        for layer in routing.layers {
            s += "<h3>Decoder layer \(layer.layer) (MoE layer \(layer.moeIndex))</h3><div class=\"row\">"
            for group in layer.groups { s += groupCard(group, layer: layer) }
            s += "</div>"
        }
        s += klPerLayerChart(routing)
        return s
    }

    private func groupCard(_ g: GroupRouting, layer: LayerRouting) -> String {
        let experts = (0..<g.experts).map { String($0) }
        let uniform = Double(g.topK) / Double(g.experts)
        let loads = g.modalities.map(\.loadFraction)
        let load = Heatmap(
            rowLabels: g.modalities.map(\.modality), columnLabels: experts, values: loads,
            maximum: Self.scale(loads, uniform: uniform), rowTitle: "modality", columnTitle: "expert",
            cellTitle: { i, j in
                let m = g.modalities[i]
                return "\(m.modality) → expert \(j): \(m.load[j]) of \(m.tokens) tokens (\(Markup.percent(m.loadFraction[j])))"
            },
            attributes: [("class", "heatmap load"), ("data-layer", String(layer.layer)), ("data-group", g.group)])
        let probs = g.modalities.map(\.meanProbs)
        let mean = Heatmap(
            rowLabels: g.modalities.map(\.modality), columnLabels: experts, values: probs,
            maximum: Self.scale(probs, uniform: 1 / Double(g.experts)), rowTitle: "modality", columnTitle: "expert",
            format: { String(format: "%.2f", $0) },
            cellTitle: { i, j in "\(g.modalities[i].modality): p̄[\(j)] = \(Markup.number(g.modalities[i].meanProbs[j]))" },
            attributes: [("class", "heatmap probs"), ("data-layer", String(layer.layer)), ("data-group", g.group)],
            cellHeight: 24)

        var s = "<div class=\"card\"><h4>group \(Markup.escape(g.group)) · \(g.experts) experts · top-\(g.topK)</h4>"
        s += "<p class=\"sub\">Load: share of the modality's tokens selecting each expert</p>" + load.svg()
        s += "<p class=\"hint\">A row sums to k = \(g.topK); uniform routing gives \(Markup.percent(uniform)) per cell.</p>"
        s += "<p class=\"sub\">Mean routing distribution p̄</p>" + mean.svg()
        s += "<p class=\"hint\">A row sums to 1; uniform routing gives \(String(format: "%.2f", 1 / Double(g.experts))) per cell.</p>"
        s += "<table class=\"stats\"><tr><th>modality</th><th>tokens</th><th>H(p̄) / ln E</th><th>top-\(g.topK) experts</th></tr>"
        for m in g.modalities {
            let h = g.maxEntropy > 0 ? m.entropy / g.maxEntropy : 0
            let top = m.tokens == 0 ? "–" : m.topExperts.map(String.init).joined(separator: ", ")
            s += "<tr><td>\(Markup.escape(m.modality))</td><td class=\"num\">\(m.tokens)</td>"
            s += "<td class=\"num\">\(String(format: "%.3f / %.3f", m.entropy, g.maxEntropy)) (\(Markup.percent(h)))</td><td>\(top)</td></tr>"
        }
        s += "</table>"
        if !g.pairs.isEmpty {
            s += "<table class=\"stats\"><tr><th>pair</th><th>symmetric KL</th><th>top-\(g.topK) agreement</th></tr>"
            for p in g.pairs {
                s += "<tr><td>\(Markup.escape(p.a))–\(Markup.escape(p.b))</td><td class=\"num\">\(String(format: "%.4f", p.symmetricKL))</td>"
                s += "<td class=\"num\">\(Markup.percent(p.topKAgreement))</td></tr>"
            }
            s += "</table>"
        }
        return s + "</div>"
    }

    /// The colour scale's top: at least twice the uniform value (so a balanced row reads as a
    /// middle tone, not as saturated), at most 1.
    static func scale(_ rows: [[Double]], uniform: Double) -> Double {
        min(1, max(rows.joined().max() ?? 0, 2 * uniform))
    }

    /// One cluster of bars per layer, one bar per (group, modality pair).
    private func klPerLayerChart(_ routing: RoutingReport) -> String {
        var keys: [String] = []
        for layer in routing.layers {
            for g in layer.groups { for p in g.pairs where !keys.contains("\(g.group): \(p.a)–\(p.b)") { keys.append("\(g.group): \(p.a)–\(p.b)") } }
        }
        guard !keys.isEmpty else {
            return "<p class=\"empty\">No group saw two modalities in these batches, so there is no modality KL to show.</p>"
        }
        let series = keys.enumerated().map { i, key in
            BarChart.Series(name: key, color: Palette.color(i), values: routing.layers.map { layer in
                layer.groups.flatMap { g in g.pairs.filter { "\(g.group): \($0.a)–\($0.b)" == key }.map(\.symmetricKL) }.first
            })
        }
        let chart = BarChart(categories: routing.layers.map { "layer \($0.layer)" }, yLabel: "symmetric KL (nats)",
                             series: series, band: klBand.map(bandNote))
        return "<h3>Modality KL per layer</h3><div class=\"row\">" + chart.html(caption: "KL(p̄_a‖p̄_b) + KL(p̄_b‖p̄_a) per layer") + "</div>"
    }
}
