import FootprintConfig
import FootprintOutput
import FootprintReports
import FootprintWarehouse

/// Builds the quarterly perception review from the same report tables the CSV files
/// hold, for one quarter against the previous one and the same quarter a year earlier.
public struct QuarterlyReview {
    public let warehouse: WarehouseEngine
    public let config: FootprintConfig

    public init(warehouse: WarehouseEngine, config: FootprintConfig) {
        self.warehouse = warehouse
        self.config = config
    }

    /// A calendar quarter such as 2024-Q2.
    public struct Quarter: Equatable, CustomStringConvertible {
        public let year: Int
        public let number: Int

        public init?(_ text: String) {
            let parts = text.uppercased().split(separator: "-")
            guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), parts[1].hasPrefix("Q"),
                  let number = Int(parts[1].dropFirst()), (1...4).contains(number) else { return nil }
            self.year = year
            self.number = number
        }

        init(year: Int, number: Int) { self.year = year; self.number = number }

        public var description: String { "\(year)-Q\(number)" }
        public var previous: Quarter { number == 1 ? Quarter(year: year - 1, number: 4) : Quarter(year: year, number: number - 1) }
        public var yearAgo: Quarter { Quarter(year: year - 1, number: number) }
        var months: [String] { (0..<3).map { "\(year)-\(pad((number - 1) * 3 + 1 + $0))" } }
        func scope(_ period: ReportScope.Period) -> ReportScope {
            ReportScope(period: period, firstDay: year * 10000 + ((number - 1) * 3 + 1) * 100 + 1,
                        lastDay: year * 10000 + (number * 3) * 100 + 31)
        }
        private func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    }

    public func render(_ quarter: Quarter) throws -> String {
        try warehouse.refreshDerivedFacts(config: config)
        let attention = try Reports.compute("attention.csv", from: warehouse, scope: quarter.scope(.month))
        let perception = try Reports.compute("perception.csv", from: warehouse, scope: quarter.scope(.month))
        var page = ReviewPage(
            quarter: quarter.description, previousQuarter: quarter.previous.description,
            yearAgoQuarter: quarter.yearAgo.description, brand: config.selfBrand?.name ?? "Our brand",
            attention: trend(attention, title: "Share of attention by month (all channels)", value: "share",
                             months: quarter.months, keep: { $0["channel"] == "all" }),
            perception: trend(perception, title: "Aspired share by month", value: "aspired_share",
                              months: quarter.months, keep: { _ in true }),
            perceptionTerms: (config.perception.current, config.perception.aspired),
            topContent: try topContent(quarter))
        page.audience = try audience(quarter)
        page.engagement = try engagement(quarter)
        page.results = try results(quarter)
        return page.render()
    }

    /// Looks cells up by column name.
    struct Rows {
        let table: CSVTable
        func value(_ row: [CSVTable.Cell], _ column: String) -> CSVTable.Cell {
            guard let index = table.columns.firstIndex(of: column) else { return .empty }
            return row[index]
        }
        func text(_ row: [CSVTable.Cell], _ column: String) -> String {
            if case .text(let text) = value(row, column) { return text }
            return CSVEncoder.field(value(row, column))
        }
    }

    private func trend(_ table: CSVTable, title: String, value: String, months: [String],
                       keep: ([String: String]) -> Bool) -> ReviewPage.Trend {
        let rows = Rows(table: table)
        var byEntity: [String: [String: Double]] = [:]
        var order: [String] = config.brands.map(\.name)
        for row in table.rows {
            let fields = ["channel": rows.text(row, "channel")]
            guard keep(fields) else { continue }
            let entity = rows.text(row, "entity")
            if !order.contains(entity) { order.append(entity) }
            if let number = rows.value(row, value).number { byEntity[entity, default: [:]][rows.text(row, "period")] = number }
        }
        return ReviewPage.Trend(title: title, months: months, series: order.map { entity in
            SVGChart.Series(name: entity, values: months.map { byEntity[entity]?[$0] })
        })
    }

    private func audience(_ quarter: Quarter) throws -> [ReviewPage.AudienceRow] {
        let geo = try Reports.compute("geo.csv", from: warehouse, scope: quarter.scope(.quarter))
        let rows = Rows(table: geo)
        var site: [String: [CSVTable.Cell]] = [:], blog: [String: [CSVTable.Cell]] = [:]
        var weight: [String: Double] = [:]
        var codes: [String: String] = [:]
        for row in geo.rows {
            let country = rows.text(row, "country_name")
            codes[country] = rows.text(row, "country_code")
            switch rows.text(row, "channel") {
            case "web:site": site[country] = row
            case "web:blog": blog[country] = row
            default: continue
            }
            weight[country, default: 0] += rows.value(row, "share").number ?? 0
        }
        let top = weight.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(10).map(\.key)
        return top.map { country in
            ReviewPage.AudienceRow(code: codes[country] ?? "", country: country,
                                   siteShare: site[country].map { rows.value($0, "share") } ?? .empty,
                                   blogShare: blog[country].map { rows.value($0, "share") } ?? .empty,
                                   blogIndex: blog[country].map { rows.value($0, "index_vs_site") } ?? .empty)
        }
    }

    private func topContent(_ quarter: Quarter) throws -> CSVTable {
        let propagation = try Reports.compute("propagation.csv", from: warehouse, scope: quarter.scope(.quarter))
        let rows = Rows(table: propagation)
        let columns = ["content_url", "channel_path", "channels_reached", "views", "clicks", "group_activities",
                       "max_cascade_depth", "hours_to_news"]
        return CSVTable(name: "top_content", columns: columns,
                        rows: propagation.rows.prefix(10).map { row in columns.map { rows.value(row, $0) } })
    }

    private func engagement(_ quarter: Quarter) throws -> [ReviewPage.EngagementRow] {
        // Same report, same columns, three quarters: rows by property.
        var rows = Rows(table: CSVTable(name: "engagement", columns: []))
        func load(_ q: Quarter) throws -> [String: [CSVTable.Cell]] {
            let table = try Reports.compute("engagement.csv", from: warehouse, scope: q.scope(.quarter))
            rows = Rows(table: table)
            return Dictionary(table.rows.map { (rows.text($0, "property"), $0) }, uniquingKeysWith: { first, _ in first })
        }
        let now = try load(quarter), before = try load(quarter.previous), yearAgo = try load(quarter.yearAgo)
        let measures: [(String, String, Bool)] = [
            ("pageviews", "page views", true), ("visitors", "visitors", true), ("sessions", "sessions", true),
            ("avg_engaged_seconds", "average engaged seconds", true), ("bounce_rate", "bounce rate", false),
            ("returning_visitor_rate", "returning-visitor rate", true),
        ]
        var out: [ReviewPage.EngagementRow] = []
        for property in now.keys.sorted() {
            for (column, label, higherIsBetter) in measures {
                out.append(ReviewPage.EngagementRow(
                    property: property, metric: label, current: rows.value(now[property]!, column),
                    previous: before[property].map { rows.value($0, column) } ?? .empty,
                    yearAgo: yearAgo[property].map { rows.value($0, column) } ?? .empty,
                    higherIsBetter: higherIsBetter))
            }
        }
        return out
    }
}
