import FootprintWarehouse

/// The web audience per period that geo, geo_city, engagement and bots read: the
/// period labels (`report_periods`) and the three small tables VisitorPeriods
/// counts from the loader's visitor-day summary (per period and property, per place,
/// per country; distinct visitors exact), not from every page view.
enum WebAudience {
    static func prepare(_ db: SQLConnection, scope: ReportScope) throws {
        let key = scope.period.keyColumn, label = scope.period.labelColumn
        try discard(db)
        // The period's label for its number, for the few grouped rows at the end.
        try db.execute("""
            CREATE TEMP TABLE report_periods AS
            SELECT DISTINCT \(key) AS period_key, \(label) AS period FROM dim_date
            """)
        try VisitorPeriods.fill(db, periodColumn: key, firstDay: scope.firstDay, lastDay: scope.lastDay)
    }

    static func discard(_ db: SQLConnection) throws {
        for table in ["report_periods", "report_web_totals", "report_web_places", "report_web_countries"] {
            try db.execute("DROP TABLE IF EXISTS \(table)")
        }
    }
}
