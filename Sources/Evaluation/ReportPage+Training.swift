import Foundation

extension ReportPage {
    /// Loss curves (raw and smoothed) with validation points, the routing losses, the modality KL
    /// logged during training, other validation numbers, and expert load over training.
    func trainingSection() -> String {
        guard let metrics else { return "" }
        var s = "<h2>Training</h2>"
        s += problemsBox(metrics.problems)
        guard !metrics.training.isEmpty || !metrics.validation.isEmpty else {
            return s + "<p class=\"empty\">\(Markup.escape(metricsName)) has no usable lines.</p>"
        }
        let first = metrics.training.first?.step ?? metrics.validation.first!.step
        let last = max(metrics.training.last?.step ?? 0, metrics.validation.last?.step ?? 0)
        s += "<p class=\"lead\">\(metrics.training.count) logged steps (\(first)–\(last)) and \(metrics.validation.count) validation points from \(Markup.escape(metricsName)). "
        s += "Faint lines are the values as logged, solid ones an exponential moving average.</p>"

        var charts: [String] = []
        var loss = curves([("loss", "total loss", 0), ("lm_loss", "LM loss", 1)])
        let val = metrics.validation.compactMap { p in p.values["val_loss"].map { (x: Double(p.step), y: $0) } }
        if !val.isEmpty { loss.append(.init(name: "validation loss", color: Palette.color(3), points: val, style: .markers)) }
        if !loss.isEmpty {
            charts.append(LineChart(xLabel: "step", yLabel: "loss (nats per target token)", series: loss).html(caption: "Loss"))
        }
        let routingLosses = curves([("balance_loss", "balance loss", 2), ("kl_loss", "KL band loss", 4)])
        if !routingLosses.isEmpty {
            charts.append(LineChart(xLabel: "step", yLabel: "loss", series: routingLosses).html(caption: "Routing losses"))
        }
        if let kl = pairKLChart() { charts.append(kl) }
        if let other = validationChart() { charts.append(other) }
        s += "<div class=\"row\">" + charts.joined() + "</div>"
        s += loadOverTraining()
        return s
    }

    private func problemsBox(_ problems: [RunMetrics.Problem]) -> String {
        guard !problems.isEmpty else { return "" }
        let shown = problems.prefix(20).map { "<li>\(Markup.escape(metricsName)):\($0.line): \(Markup.escape($0.reason))</li>" }
        let more = problems.count > 20 ? "<li>… and \(problems.count - 20) more</li>" : ""
        return "<div class=\"problems\"><strong>\(problems.count) line\(problems.count == 1 ? "" : "s") of \(Markup.escape(metricsName)) could not be read and \(problems.count == 1 ? "is" : "are") left out:</strong><ul>"
            + shown.joined() + more + "</ul></div>"
    }

    /// For each (key, name, colour): a faint raw line and its smoothed twin, when logged at all.
    private func curves(_ keys: [(String, String, Int)]) -> [LineChart.Series] {
        guard let metrics else { return [] }
        return keys.flatMap { key, name, color -> [LineChart.Series] in
            let raw = metrics.training.compactMap { p in p.values[key].map { (x: Double(p.step), y: $0) } }
            guard !raw.isEmpty else { return [] }
            guard raw.count > 20 else { return [.init(name: name, color: Palette.color(color), points: raw)] }
            return [.init(name: name, color: Palette.color(color), points: raw, style: .faintLine, inLegend: false),
                    .init(name: name, color: Palette.color(color), points: Self.smoothed(raw))]
        }
    }

    /// Debiased exponential moving average (TensorBoard's smoothing), heavier for longer runs.
    static func smoothed(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        let weight = min(0.95, max(0, 1 - 20 / Double(points.count)))
        var average = 0.0, correction = 1.0
        return points.map { p in
            average = weight * average + (1 - weight) * p.y
            correction *= weight
            return (p.x, average / (1 - correction))
        }
    }

    /// Logged keys look like "0.media.image-audio": MoE index, group, pair.
    private func pairKLChart() -> String? {
        guard let metrics else { return nil }
        let keys = Set(metrics.training.flatMap(\.pairKL.keys)).sorted()
        guard !keys.isEmpty else { return nil }
        let series = keys.enumerated().map { i, key in
            let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
            let name = parts.count == 3 && Int(parts[0]) != nil
                ? "\(layerName(moeIndex: Int(parts[0])!)) \(parts[1]): \(parts[2].replacingOccurrences(of: "-", with: "–"))" : key
            let points = metrics.training.compactMap { p in p.pairKL[key].map { (x: Double(p.step), y: $0) } }
            return LineChart.Series(name: name, color: Palette.color(i), points: points.count > 20 ? Self.smoothed(points) : points)
        }
        return LineChart(xLabel: "step", yLabel: "symmetric KL (nats)", series: series, band: klBand.map(bandNote))
            .html(caption: "Modality KL during training (per batch, smoothed)")
    }

    private func validationChart() -> String? {
        guard let metrics else { return nil }
        let keys = Set(metrics.validation.flatMap(\.values.keys)).subtracting(["val_loss"]).sorted()
        guard !keys.isEmpty else { return nil }
        let series = keys.enumerated().map { i, key in
            LineChart.Series(name: key, color: Palette.color(i + 5),
                             points: metrics.validation.compactMap { p in p.values[key].map { (x: Double(p.step), y: $0) } },
                             style: .markedLine)
        }
        return LineChart(xLabel: "step", yLabel: "value", series: series).html(caption: "Other validation numbers")
    }

    /// Per logged "layer.group": the share of the group's selections each expert received, in
    /// up to 48 windows of steps (the routing heatmaps' counterpart when no batches were run).
    private func loadOverTraining() -> String {
        guard let metrics else { return "" }
        let keys = Set(metrics.training.flatMap(\.expertLoad.keys)).sorted { a, b in
            let x = a.split(separator: "."), y = b.split(separator: ".")
            return (Int(x[0]) ?? 0, a) < (Int(y[0]) ?? 0, b)
        }
        guard !keys.isEmpty else { return "" }
        var s = "<h3>Expert load during training</h3><div class=\"row\">"
        for key in keys {
            let points = metrics.training.filter { $0.expertLoad[key] != nil }
            let experts = points.map { $0.expertLoad[key]!.count }.max() ?? 0
            guard experts > 0 else { continue }
            let windows = min(48, points.count), size = (points.count + windows - 1) / windows
            let chunks = stride(from: 0, to: points.count, by: size).map { points[$0..<min($0 + size, points.count)] }
            var share = [[Double]](repeating: Array(repeating: 0, count: chunks.count), count: experts)
            for (j, chunk) in chunks.enumerated() {
                var counts = [Int](repeating: 0, count: experts)
                for p in chunk { for (i, n) in p.expertLoad[key]!.enumerated() { counts[i] += n } }
                let total = Double(max(counts.reduce(0, +), 1))
                for i in 0..<experts { share[i][j] = Double(counts[i]) / total }
            }
            // Label the windows holding the step axis's nice ticks, not arbitrary window ends.
            let ticks = Axis([Double(points.first!.step), Double(points.last!.step)], integer: true, count: 6).ticks
            let labels = chunks.map { c in
                ticks.first { $0 >= Double(c.first!.step) && $0 <= Double(c.last!.step) }.map(Axis.format) ?? ""
            }
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            let title = parts.count == 2 && Int(parts[0]) != nil ? "\(layerName(moeIndex: Int(parts[0])!)), group \(parts[1])" : key
            let map = Heatmap(
                rowLabels: (0..<experts).map(String.init),
                columnLabels: labels,
                values: share, maximum: Self.scale(share, uniform: 1 / Double(experts)),
                rowTitle: "expert", columnTitle: "step",
                cellTitle: { i, j in "expert \(i), steps \(chunks[j].first!.step)–\(chunks[j].last!.step): \(Markup.percent(share[i][j])) of selections" },
                attributes: [("class", "heatmap training-load"), ("data-key", key)],
                cellHeight: experts <= 8 ? 22 : max(6, 176 / Double(experts)))
            s += "<div class=\"card\"><h4>\(Markup.escape(title))</h4>" + map.svg()
            s += "<p class=\"hint\">Share of the group's (token, expert) selections per expert; uniform is \(Markup.percent(1 / Double(experts))).</p></div>"
        }
        return s + "</div>"
    }
}
