import GRDB

/// The visitor-day summary regrouped by period: one row per period, property, place and
/// visitor, which the web-audience reports read to count distinct visitors exactly.
///
/// Grouped here rather than by `GROUP BY`: SQLite sorted the 1.1 million visitor days of
/// scripts/bench in 1.95 s; scanning them, sorting plain structs and appending the groups
/// in key order takes a fraction of that (see ExternalSorter).
public enum VisitorPeriods {
    /// Fills `table` (period_key, property_key, geo_key, person_key, views, engaged_total,
    /// engaged_views; keyed in that order) from agg_visitor_day for the days from
    /// `firstDay` to `lastDay`; a day's period is dim_date's `periodColumn`.
    public static func fill(_ db: Database, table: String, periodColumn: String, firstDay: Int, lastDay: Int) throws {
        guard let connection = db.sqliteConnection else { return }
        var periodOfDay: [Int64: Int64] = [:]
        let days = try SQLiteStatement(connection: connection, sql: """
            SELECT date_key, \(periodColumn) FROM dim_date WHERE date_key BETWEEN ?1 AND ?2
            """)
        days.bind(1, firstDay); days.bind(2, lastDay)
        while try days.step() { periodOfDay[days.int64(0)] = days.int64(1) }
        days.reset()

        let visitorDays = try SQLiteStatement(connection: connection, sql: """
            SELECT person_key, property_key, date_key, geo_key, views, engaged_total, engaged_views
            FROM agg_visitor_day WHERE date_key BETWEEN ?1 AND ?2
            """)
        visitorDays.bind(1, firstDay); visitorDays.bind(2, lastDay)
        var sorter = ExternalSorter<VisitorPeriod>()
        while try visitorDays.step() {
            guard let period = periodOfDay[visitorDays.int64(2)] else { continue }
            try sorter.append(VisitorPeriod(
                period: period, property: visitorDays.int64(1), geo: visitorDays.int64(3), person: visitorDays.int64(0),
                views: visitorDays.int64(4), engagedTotal: visitorDays.double(5) ?? .nan, engagedViews: visitorDays.int64(6)))
        }
        visitorDays.reset()

        let insert = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO \(table) (period_key, property_key, geo_key, person_key, views, engaged_total, engaged_views)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        func write(_ group: VisitorPeriod) throws {
            insert.bind(1, group.period); insert.bind(2, group.property); insert.bind(3, group.geo)
            insert.bind(4, group.person); insert.bind(5, group.views)
            insert.bind(6, group.engagedTotal.isNaN ? nil : group.engagedTotal); insert.bind(7, group.engagedViews)
            try insert.execute()
        }
        var sorted = try sorter.sorted()
        var group: VisitorPeriod?
        while let row = try sorted.next() {
            if var current = group, current == row {
                current.add(row)
                group = current
            } else {
                if let finished = group { try write(finished) }
                group = row
            }
        }
        if let finished = group { try write(finished) }
    }
}

/// One visitor's page views in one period, property and place. Equal (and ordered) by
/// that key alone; the counts are what is summed.
struct VisitorPeriod: Comparable, BitwiseCopyable {
    var period, property, geo, person, views: Int64
    /// NaN when none of the views gave engaged time (SQL's SUM of only NULLs is NULL).
    var engagedTotal: Double
    var engagedViews: Int64

    mutating func add(_ other: VisitorPeriod) {
        views += other.views
        engagedViews += other.engagedViews
        if engagedTotal.isNaN { engagedTotal = other.engagedTotal } else if !other.engagedTotal.isNaN { engagedTotal += other.engagedTotal }
    }

    static func < (a: VisitorPeriod, b: VisitorPeriod) -> Bool {
        (a.period, a.property, a.geo, a.person) < (b.period, b.property, b.geo, b.person)
    }

    static func == (a: VisitorPeriod, b: VisitorPeriod) -> Bool {
        (a.period, a.property, a.geo, a.person) == (b.period, b.property, b.geo, b.person)
    }
}
