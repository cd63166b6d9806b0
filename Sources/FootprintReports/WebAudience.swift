import GRDB
import FootprintWarehouse

/// Page views boiled down once per report run to one row per period, property, place
/// and visitor (`temp.report_web_people`), which geo, geo_city, engagement and bots
/// read: built from the loader's visitor-day summary (agg_visitor_day), not from every
/// page view, and distinct visitors stay exact (each row is one visitor). The grouping
/// itself is VisitorPeriods (in the warehouse, which owns the summaries).
enum WebAudience {
    static func prepare(_ db: Database, scope: ReportScope) throws {
        let key = scope.period.keyColumn, label = scope.period.labelColumn
        try discard(db)
        // The period's label for its number, for the few grouped rows at the end.
        try db.execute(sql: """
            CREATE TEMP TABLE report_periods AS
            SELECT DISTINCT \(key) AS period_key, \(label) AS period FROM dim_date
            """)
        // Grouped by the period's number (integers sort far faster than text); keyed in
        // the order the grouping produces its rows (so they are appended), and so that
        // grouping by period, property and place reads it in order, unsorted.
        try db.execute(sql: """
            CREATE TEMP TABLE report_web_people (
                period_key    INTEGER NOT NULL,
                property_key  INTEGER NOT NULL,
                geo_key       INTEGER NOT NULL,
                person_key    INTEGER NOT NULL,
                views         INTEGER NOT NULL,
                engaged_total REAL,
                engaged_views INTEGER NOT NULL,
                PRIMARY KEY (period_key, property_key, geo_key, person_key)
            ) WITHOUT ROWID
            """)
        try VisitorPeriods.fill(db, table: "temp.report_web_people", periodColumn: key,
                                firstDay: scope.firstDay, lastDay: scope.lastDay)
    }

    static func discard(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS temp.report_web_people")
        try db.execute(sql: "DROP TABLE IF EXISTS temp.report_periods")
    }
}
