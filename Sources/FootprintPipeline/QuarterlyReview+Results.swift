import FootprintConfig
import FootprintOutput
import FootprintReports
import FootprintWarehouse

/// The review's "What comes of it?" part, cut from the same reports as the CSV files.
extension QuarterlyReview {
    /// A report for a scope, with the config's report settings (influencers_top, VIPs).
    func report(_ name: String, _ scope: ReportScope) throws -> (CSVTable, Rows) {
        let table = try Reports.compute(name, from: warehouse, scope: scope.configured(by: config))
        return (table, Rows(table: table))
    }

    func results(_ quarter: Quarter) throws -> ReviewPage.Results {
        ReviewPage.Results(conversions: try conversions(quarter), topics: try topics(quarter), groups: try groups(quarter),
                           influencers: try influencers(quarter), vips: try vips(quarter), impact: try impact(quarter))
    }

    /// Takes `columns` of each row, in that order.
    private func slice(_ rows: [[CSVTable.Cell]], _ reader: Rows, _ columns: [String], name: String) -> CSVTable {
        CSVTable(name: name, columns: columns, rows: rows.map { row in columns.map { reader.value(row, $0) } })
    }

    private func conversions(_ quarter: Quarter) throws -> CSVTable {
        let (now, rows) = try report("goals.csv", quarter.scope(.quarter))
        let (before, beforeRows) = try report("goals.csv", quarter.previous.scope(.quarter))
        var earlier: [String: CSVTable.Cell] = [:]
        for row in before.rows where beforeRows.text(row, "breakdown") == "category" {
            earlier[beforeRows.text(row, "goal") + "\u{1F}" + beforeRows.text(row, "value")] = beforeRows.value(row, "conversion_rate")
        }
        var table = CSVTable(name: "conversions", columns: ["goal", "came from", "visits", "conversions", "conversion_rate", "previous_rate"])
        for row in now.rows where rows.text(row, "breakdown") == "category" {
            let key = rows.text(row, "goal") + "\u{1F}" + rows.text(row, "value")
            table.rows.append([rows.value(row, "goal"), rows.value(row, "value"), rows.value(row, "sessions"),
                               rows.value(row, "conversions"), rows.value(row, "conversion_rate"), earlier[key] ?? .empty])
        }
        return table
    }

    private func topics(_ quarter: Quarter) throws -> CSVTable {
        let (table, rows) = try report("topics.csv", quarter.scope(.quarter))
        let sorted = table.rows.sorted { (rows.value($0, "clicks").number ?? 0) > (rows.value($1, "clicks").number ?? 0) }
        return slice(sorted, rows, ["topic", "clicks", "click_share", "views", "visitors", "group_activities", "mentions"], name: "topics")
    }

    private func groups(_ quarter: Quarter) throws -> CSVTable {
        let (table, rows) = try report("groups.csv", quarter.scope(.quarter))
        return slice(Array(table.rows.prefix(10)), rows, ["platform", "group", "activities", "active_members", "posts", "comments",
                                                          "our_shares", "responses_to_our_shares", "self_mentions"], name: "groups")
    }

    private func influencers(_ quarter: Quarter) throws -> CSVTable {
        let (table, rows) = try report("influencers.csv", quarter.scope(.quarter))
        func key(_ row: [CSVTable.Cell]) -> (Double, Double) {
            (rows.value(row, "responses_received").number ?? 0, rows.value(row, "responders").number ?? 0)
        }
        // Across platforms: the most answered first (the report ranks within each).
        let top = table.rows.enumerated().sorted { a, b in
            key(a.element) != key(b.element) ? key(a.element) > key(b.element) : a.offset < b.offset
        }.prefix(10).map(\.element)
        return slice(top, rows, ["actor", "platform", "posts", "comments", "responses_received", "responders", "top_group", "country"],
                     name: "influencers")
    }

    private func vips(_ quarter: Quarter) throws -> CSVTable {
        let (table, rows) = try report("vips.csv", quarter.scope(.quarter))
        return slice(table.rows, rows, ["list", "subscribers", "commenters", "vips", "vip_comments", "vip_comments_answered",
                                        "new_vips", "lapsed_vips"], name: "vips")
    }

    /// Twelve months up to the quarter's end: the metric's monthly value beside the self
    /// brand's mentions in every channel (attention.csv).
    private func impact(_ quarter: Quarter) throws -> [ReviewPage.ImpactSeries] {
        let first = Quarter(year: quarter.year - 1, number: quarter.number).next
        let scope = ReportScope(period: .month, firstDay: first.scope(.month).firstDay, lastDay: quarter.scope(.month).lastDay)
        let months = [first, first.next, first.next.next, quarter].flatMap(\.months)
        let (impact, rows) = try report("impact.csv", scope)
        let (attention, attentionRows) = try report("attention.csv", scope)
        var mentions: [String: Double] = [:]
        for row in attention.rows where attentionRows.text(row, "channel") == "all" && attentionRows.text(row, "is_self") == "true" {
            mentions[attentionRows.text(row, "period")] = attentionRows.value(row, "mentions").number
        }
        var byMetric: [String: [String: Double]] = [:]
        var order: [String] = []
        for row in impact.rows {
            let metric = rows.text(row, "metric")
            if byMetric[metric] == nil { order.append(metric) }
            byMetric[metric, default: [:]][rows.text(row, "period")] = rows.value(row, "value").number
        }
        return order.sorted().map { metric in
            ReviewPage.ImpactSeries(metric: metric, months: months, values: months.map { byMetric[metric]?[$0] },
                                    mentions: months.map { mentions[$0] })
        }
    }
}

extension QuarterlyReview.Quarter {
    var next: QuarterlyReview.Quarter {
        number == 4 ? QuarterlyReview.Quarter(year: year + 1, number: 1) : QuarterlyReview.Quarter(year: year, number: number + 1)
    }
}
