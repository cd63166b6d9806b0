/// The quarterly perception review as one self-contained HTML file: inline CSS and SVG,
/// no scripts, no fonts or images from elsewhere — it opens offline and prints cleanly.
/// Every number shown is a cell of the CSV reports, formatted the same way.
public struct ReviewPage {
    public struct AudienceRow {
        public let code: String
        public let country: String
        public let siteShare: CSVTable.Cell
        public let blogShare: CSVTable.Cell
        public let blogIndex: CSVTable.Cell
        public init(code: String, country: String, siteShare: CSVTable.Cell, blogShare: CSVTable.Cell, blogIndex: CSVTable.Cell) {
            self.code = code; self.country = country; self.siteShare = siteShare; self.blogShare = blogShare; self.blogIndex = blogIndex
        }
    }

    public struct Trend {
        public let title: String
        public let months: [String]
        public let series: [SVGChart.Series]
        public init(title: String, months: [String], series: [SVGChart.Series]) {
            self.title = title; self.months = months; self.series = series
        }
    }

    public struct EngagementRow {
        public let property: String
        public let metric: String
        public let current: CSVTable.Cell
        public let previous: CSVTable.Cell
        public let yearAgo: CSVTable.Cell
        /// Whether a rise is good news (bounce rate: no).
        public let higherIsBetter: Bool
        public init(property: String, metric: String, current: CSVTable.Cell, previous: CSVTable.Cell, yearAgo: CSVTable.Cell, higherIsBetter: Bool) {
            self.property = property; self.metric = metric; self.current = current; self.previous = previous
            self.yearAgo = yearAgo; self.higherIsBetter = higherIsBetter
        }
    }

    public var quarter: String
    public var previousQuarter: String
    public var yearAgoQuarter: String
    public var brand: String
    public var audience: [AudienceRow] = []
    public var attention: Trend
    public var perception: Trend
    public var perceptionTerms: (current: [String], aspired: [String])
    public var topContent: CSVTable
    public var engagement: [EngagementRow] = []
    /// Conversions, topics, groups, influencers, VIPs and outcomes (nil: not shown).
    public var results: Results?

    public init(quarter: String, previousQuarter: String, yearAgoQuarter: String, brand: String, attention: Trend,
                perception: Trend, perceptionTerms: (current: [String], aspired: [String]), topContent: CSVTable) {
        self.quarter = quarter; self.previousQuarter = previousQuarter; self.yearAgoQuarter = yearAgoQuarter
        self.brand = brand; self.attention = attention; self.perception = perception
        self.perceptionTerms = perceptionTerms; self.topContent = topContent
    }

    public func render() -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(brand)) perception review \(escape(quarter))</title>
        <style>\(Self.css)</style></head><body>
        <header><h1>\(escape(brand)) — perception review \(escape(quarter))</h1>
        <p>Compared with \(escape(previousQuarter)) (previous quarter) and \(escape(yearAgoQuarter)) (same quarter a year earlier). Shares are fractions of 1; figures are those of the CSV reports.</p></header>
        """
        html += section("Where is our audience?", audienceSection())
        html += section("Who owns the conversation?", chart(SVGChart.lines(
            title: attention.title, xLabels: attention.months, series: attention.series,
            yLabel: "share of mentions (0–1)", xLabel: "month", yMax: 1, format: { CSVEncoder.decimal($0, places: 2) })))
        html += section("Are we seen the way we want to be?", perceptionSection())
        html += section("Content that travelled furthest", contentSection())
        html += section("Engagement", engagementSection())
        if let results { html += "<h1 class=\"part\">What comes of it?</h1>\n" + resultsSections(results) }
        html += "<footer>Made by footprint review. Arrows compare with \(escape(previousQuarter)) and \(escape(yearAgoQuarter)).</footer></body></html>\n"
        return html
    }

    func section(_ title: String, _ body: String) -> String {
        "<section><h2>\(escape(title))</h2>\(body)</section>\n"
    }

    func chart(_ svg: String) -> String { "<figure>\(svg)</figure>" }

    private func audienceSection() -> String {
        guard !audience.isEmpty else { return "<p class=\"empty\">No page views in \(escape(quarter)).</p>" }
        let bars = SVGChart.groupedBars(
            title: "Audience by country, \(quarter): share of page views",
            categories: audience.map(\.code),
            series: [SVGChart.Series(name: "site", values: audience.map { $0.siteShare.number }),
                     SVGChart.Series(name: "blog", values: audience.map { $0.blogShare.number })],
            yLabel: "share of page views (0–1)", xLabel: "country (ISO code; top 10 by site + blog share)",
            format: { CSVEncoder.decimal($0, places: 2) })
        var table = "<table><thead><tr><th>code</th><th>country</th><th>site share</th><th>blog share</th><th>blog index vs site</th></tr></thead><tbody>"
        for row in audience {
            table += "<tr><td>\(escape(row.code))</td><td>\(escape(row.country))</td><td class=\"n\">\(cell(row.siteShare))</td><td class=\"n\">\(cell(row.blogShare))</td><td class=\"n\">\(cell(row.blogIndex))</td></tr>"
        }
        table += "</tbody></table><p class=\"note\">Index above 1: the blog reaches that country more strongly than the corporate site does; empty: the site has no traffic there.</p>"
        return chart(bars) + table
    }

    private func perceptionSection() -> String {
        let terms = "<p>Current positioning terms: <b>\(escape(perceptionTerms.current.joined(separator: ", ")))</b>. Aspired: <b>\(escape(perceptionTerms.aspired.joined(separator: ", ")))</b>. Aspired share = aspired / (aspired + current) among group activities that mention the brand; a gap means no term was used that month.</p>"
        return terms + chart(SVGChart.lines(title: perception.title, xLabels: perception.months, series: perception.series,
                                            yLabel: "aspired share (0–1)", xLabel: "month", yMax: 1,
                                            format: { CSVEncoder.decimal($0, places: 2) }))
    }

    private func contentSection() -> String {
        guard !topContent.rows.isEmpty else { return "<p class=\"empty\">No content activity in \(escape(quarter)).</p>" }
        var table = "<table><thead><tr>" + topContent.columns.map { "<th>\(escape($0.replacingOccurrences(of: "_", with: " ")))</th>" }.joined() + "</tr></thead><tbody>"
        for row in topContent.rows {
            table += "<tr>" + row.enumerated().map { index, value in
                switch index {
                case 0: return "<td class=\"url\">\(cell(value))</td>"
                case 1: return "<td class=\"path\">\(cell(value).replacingOccurrences(of: "&gt;", with: "&gt;&#8203;"))</td>"
                default: return "<td class=\"n\">\(cell(value))</td>"
                }
            }.joined() + "</tr>"
        }
        return table + "</tbody></table>"
    }

    private func engagementSection() -> String {
        guard !engagement.isEmpty else { return "<p class=\"empty\">No page views in \(escape(quarter)).</p>" }
        var table = "<table><thead><tr><th>property</th><th>measure</th><th>\(escape(quarter))</th><th>vs \(escape(previousQuarter))</th><th>vs \(escape(yearAgoQuarter))</th></tr></thead><tbody>"
        for row in engagement {
            table += "<tr><td>\(escape(row.property))</td><td>\(escape(row.metric))</td><td class=\"n\">\(cell(row.current))</td>"
                + "<td class=\"n\">\(change(row.current, against: row.previous, higherIsBetter: row.higherIsBetter))</td>"
                + "<td class=\"n\">\(change(row.current, against: row.yearAgo, higherIsBetter: row.higherIsBetter))</td></tr>"
        }
        return table + "</tbody></table>"
    }

    /// ▲/▼ with the earlier figure, green when the change is good news.
    func change(_ now: CSVTable.Cell, against before: CSVTable.Cell, higherIsBetter: Bool) -> String {
        guard let current = now.number, let earlier = before.number else { return "<span class=\"flat\">no data</span>" }
        if current == earlier { return "<span class=\"flat\">= \(cell(before))</span>" }
        let up = current > earlier
        let good = up == higherIsBetter
        return "<span class=\"\(good ? "good" : "bad")\">\(up ? "▲" : "▼") from \(cell(before))</span>"
    }

    func cell(_ value: CSVTable.Cell) -> String {
        if case .text(let text) = value { return escape(text) }
        return escape(CSVEncoder.field(value))
    }

    static let css = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:980px;padding:24px;color:#111827}
    h1{font-size:26px;margin:0 0 6px}h2{font-size:20px;border-bottom:2px solid #e5e7eb;padding-bottom:4px;margin-top:36px}
    header p,.note{color:#4b5563}figure{margin:12px 0}svg{width:100%;height:auto}
    svg .title{font-size:15px;font-weight:600;fill:#111827}svg .tick{font-size:11px;fill:#4b5563}
    svg .axis{font-size:12px;fill:#111827}svg .legend{font-size:12px;fill:#111827}
    svg .grid{stroke:#e5e7eb}svg .axisline{stroke:#6b7280}
    table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left}
    th{background:#f9fafb;vertical-align:bottom}td.n{text-align:right;white-space:nowrap}td.url{word-break:break-all;min-width:240px}
    td.path{font-size:12px;word-break:break-word}
    .good{color:#15803d}.bad{color:#b91c1c}.flat{color:#6b7280}.empty{color:#6b7280;font-style:italic}
    h1.part{font-size:22px;margin-top:48px;color:#374151}
    footer{margin-top:40px;color:#6b7280;font-size:12px}
    @media print{body{padding:0}section{break-inside:avoid}}
    """
}

extension CSVTable.Cell {
    /// The numeric value of a number cell (nil for text and empty cells).
    public var number: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .decimal(let value, let places): return Double(CSVEncoder.decimal(value, places: places)) // as shown
        case .text, .empty: return nil
        }
    }
}
