/// "What comes of it?": the review's part for CONTRACT.md section 5 — conversions by
/// channel, topics by clicks, the groups and influencers worth knowing, VIPs gained and
/// lost, and outcomes beside mentions with their correlation.
extension ReviewPage {
    /// The quarter's figures for the results sections, each a slice of a CSV report.
    public struct Results {
        /// goals.csv by category for the quarter: goal, category, visits, conversions,
        /// conversion rate, and the rate of the previous quarter.
        public var conversions: CSVTable
        /// topics.csv for the quarter, by clicks.
        public var topics: CSVTable
        /// groups.csv for the quarter: the ten most active groups.
        public var groups: CSVTable
        /// influencers.csv for the quarter: the ten most answered actors.
        public var influencers: CSVTable
        /// vips.csv for the quarter (gained and lost against the previous quarter).
        public var vips: CSVTable
        /// impact.csv by month over the twelve months up to the quarter's end, per metric.
        public var impact: [ImpactSeries]

        public init(conversions: CSVTable, topics: CSVTable, groups: CSVTable, influencers: CSVTable, vips: CSVTable,
                    impact: [ImpactSeries]) {
            self.conversions = conversions; self.topics = topics; self.groups = groups
            self.influencers = influencers; self.vips = vips; self.impact = impact
        }
    }

    /// One outcome metric beside the self brand's mentions, month by month.
    public struct ImpactSeries {
        public let metric: String
        public let months: [String]
        public let values: [Double?]
        public let mentions: [Double?]
        public init(metric: String, months: [String], values: [Double?], mentions: [Double?]) {
            self.metric = metric; self.months = months; self.values = values; self.mentions = mentions
        }

        /// The months where both are known.
        public var pairs: [(Double, Double)] {
            zip(values, mentions).compactMap { value, mention in value.flatMap { v in mention.map { (v, $0) } } }
        }

        /// Pearson's r over `pairs`; nil with fewer than 3 or when either does not vary.
        public var correlation: Double? {
            let pairs = self.pairs
            guard pairs.count >= 3 else { return nil }
            let n = Double(pairs.count)
            let meanX = pairs.map(\.0).reduce(0, +) / n, meanY = pairs.map(\.1).reduce(0, +) / n
            var sxy = 0.0, sxx = 0.0, syy = 0.0
            for (x, y) in pairs {
                sxy += (x - meanX) * (y - meanY); sxx += (x - meanX) * (x - meanX); syy += (y - meanY) * (y - meanY)
            }
            guard sxx > 0, syy > 0 else { return nil }
            return sxy / (sxx * syy).squareRoot()
        }
    }

    func resultsSections(_ results: Results) -> String {
        var html = section("Which channels bring conversions?", conversionsSection(results.conversions))
        html += section("Which subjects get clicked?", topicsSection(results.topics))
        html += section("Groups worth posting in", tableOrEmpty(results.groups, empty: "No group activity in \(quarter).",
                                                                 note: "Our shares: activities carrying a link to our properties or made by our accounts; responses count every activity below them in their threads."))
        html += section("Influencers", tableOrEmpty(results.influencers, empty: "No posts or comments by others in \(quarter).",
                                                    note: "Ranked by the responses their posts and comments received; our own accounts and competitors' are left out. Actors are pseudonyms unless the config shows handles."))
        html += section("VIPs: subscribers who comment", tableOrEmpty(results.vips, empty: "No subscribers loaded for \(quarter).",
                                                                      note: "New and lapsed compare with \(previousQuarter). Answered: VIP comments that got a reply from one of our accounts."))
        html += section("Outcomes beside mentions", impactSection(results.impact))
        return html
    }

    private func conversionsSection(_ table: CSVTable) -> String {
        guard !table.rows.isEmpty else {
            return "<p class=\"empty\">No goals configured, or no visits in \(escape(quarter)). Add [[goals]] to the config to measure calls to action.</p>"
        }
        let goals = orderedUnique(table.rows.map { text($0[0]) })
        let categories = orderedUnique(table.rows.map { text($0[1]) })
        var rate: [String: [String: Double]] = [:]
        for row in table.rows { rate[text(row[0]), default: [:]][text(row[1])] = row[4].number }
        let bars = SVGChart.groupedBars(
            title: "Conversion rate by where the visit came from, \(quarter)", categories: categories,
            series: goals.map { goal in SVGChart.Series(name: goal, values: categories.map { rate[goal]?[$0] }) },
            yLabel: "conversion rate (0–1)", xLabel: "referrer category of the visit's first page",
            format: { CSVEncoder.decimal($0, places: 3) })
        var html = chart(bars) + "<table><thead><tr><th>goal</th><th>came from</th><th>visits</th><th>conversions</th><th>conversion rate</th><th>vs \(escape(previousQuarter))</th></tr></thead><tbody>"
        for row in table.rows {
            html += "<tr><td>\(cell(row[0]))</td><td>\(cell(row[1]))</td><td class=\"n\">\(cell(row[2]))</td><td class=\"n\">\(cell(row[3]))</td><td class=\"n\">\(cell(row[4]))</td>"
                + "<td class=\"n\">\(change(row[4], against: row[5], higherIsBetter: true))</td></tr>"
        }
        return html + "</tbody></table><p class=\"note\">A visit spans the blog and the site while the visitor keeps moving (no gap over the session timeout); it converts once per goal.</p>"
    }

    private func topicsSection(_ table: CSVTable) -> String {
        guard !table.rows.isEmpty else {
            return "<p class=\"empty\">No topics configured. Add [[topics]] to the config to gauge which subjects get clicked.</p>"
        }
        let clicksColumn = table.columns.firstIndex(of: "clicks") ?? 1
        let bars = SVGChart.groupedBars(
            title: "Short-link clicks by topic, \(quarter)", categories: table.rows.map { text($0[0]) },
            series: [SVGChart.Series(name: "clicks", values: table.rows.map { $0[clicksColumn].number })],
            yLabel: "clicks", xLabel: "topic", format: { CSVEncoder.decimal($0, places: 0) })
        return chart(bars) + plainTable(table)
    }

    private func impactSection(_ series: [ImpactSeries]) -> String {
        guard !series.isEmpty else {
            return "<p class=\"empty\">No outcomes loaded. Load an outcomes file (date, metric, value) to set sales or leads beside the conversation.</p>"
        }
        var html = ""
        for item in series {
            // Each line relative to its own highest month, so that sales in the
            // thousands and mentions in the tens share one chart honestly.
            func relative(_ values: [Double?]) -> [Double?] {
                let top = values.compactMap { $0 }.max() ?? 0
                return values.map { value in value.map { top > 0 ? $0 / top : 0 } }
            }
            html += chart(SVGChart.lines(
                title: "\(item.metric) and \(brand) mentions by month (each relative to its highest month)",
                xLabels: item.months,
                series: [SVGChart.Series(name: item.metric, values: relative(item.values)),
                         SVGChart.Series(name: "\(brand) mentions", values: relative(item.mentions))],
                yLabel: "relative to highest month (1 = highest)", xLabel: "month", yMax: 1,
                format: { CSVEncoder.decimal($0, places: 2) }))
            let n = item.pairs.count
            if let r = item.correlation {
                let caution = n < 8 ? " Only \(n) months: too few to rely on; read it as a hint." : ""
                html += "<p>Correlation between monthly \(escape(item.metric)) and \(escape(brand)) mentions: <b>r = \(CSVEncoder.decimal(r, places: 2))</b> over \(n) months.\(escape(caution)) A correlation is not a cause: both may follow a season or a campaign.</p>"
            } else {
                html += "<p class=\"empty\">Correlation of \(escape(item.metric)) with mentions: not computed (\(n) month\(n == 1 ? "" : "s") with both figures; at least 3 that vary are needed).</p>"
            }
        }
        return html
    }

    private func tableOrEmpty(_ table: CSVTable, empty: String, note: String) -> String {
        guard !table.rows.isEmpty else { return "<p class=\"empty\">\(escape(empty))</p>" }
        return plainTable(table) + "<p class=\"note\">\(escape(note))</p>"
    }

    private func plainTable(_ table: CSVTable) -> String {
        var html = "<table><thead><tr>" + table.columns.map { "<th>\(escape($0.replacingOccurrences(of: "_", with: " ")))</th>" }.joined() + "</tr></thead><tbody>"
        for row in table.rows {
            html += "<tr>" + row.map { value -> String in
                if case .text = value { return "<td>\(cell(value))</td>" }
                return "<td class=\"n\">\(cell(value))</td>"
            }.joined() + "</tr>"
        }
        return html + "</tbody></table>"
    }

    private func text(_ value: CSVTable.Cell) -> String {
        if case .text(let text) = value { return text }
        return CSVEncoder.field(value)
    }

    private func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
