import FootprintOutput
import FootprintWarehouse

/// engagement.csv — per period and property: page views, distinct visitors, sessions
/// (from fact_session, counted in the period they start), average engaged seconds over the page views that
/// report it, bounce rate (sessions of one page view) and returning-visitor rate
/// (visitors whose session in the period is not their first ever on that property).
enum EngagementReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        try ReportQuery.table(db, name: "engagement", columns: [
            ("period", .text), ("property", .text), ("pageviews", .integer), ("visitors", .integer),
            ("sessions", .integer), ("avg_engaged_seconds", .decimal(places: 1)), ("bounce_rate", .share),
            ("returning_visitor_rate", .share),
        ], sql: sql(scope), arguments: scope.range, into: sink)
    }

    /// The report's statement over `:first` … `:last` (PostgresReportPlanTests reads its plan).
    static func sql(_ scope: ReportScope) -> String {
        let p = scope.period.labelColumn
        return """
            WITH views AS (
                SELECT rp.period, x.property_key, x.views AS pageviews, x.visitors,
                       x.engaged_total / NULLIF(x.engaged_views, 0) AS avg_engaged_seconds
                FROM report_web_totals AS x
                JOIN report_periods AS rp ON rp.period_key = x.period_key
            ), sessions AS (
                SELECT d.\(p) AS period, s.property_key, SUM(s.sessions) AS sessions, SUM(s.bounces) AS bounces
                FROM agg_session_start AS s
                JOIN dim_date AS d ON d.date_key = s.date_key
                WHERE s.date_key BETWEEN :first AND :last
                GROUP BY d.\(p), s.property_key
            ), returners AS (
                SELECT d.\(p) AS period, s.property_key, COUNT(DISTINCT s.person_key) AS visitors
                FROM fact_session AS s
                JOIN dim_date AS d ON d.date_key = s.date_key
                WHERE s.date_key BETWEEN :first AND :last AND s.session_number > 1
                GROUP BY d.\(p), s.property_key
            )
            SELECT v.period, pr.name, v.pageviews, v.visitors, COALESCE(s.sessions, 0), v.avg_engaged_seconds,
                   CAST(s.bounces AS DOUBLE PRECISION) / NULLIF(s.sessions, 0) AS bounce_rate,
                   CAST(COALESCE(r.visitors, 0) AS DOUBLE PRECISION) / v.visitors AS returning_visitor_rate
            FROM views AS v
            JOIN dim_property AS pr ON pr.property_key = v.property_key
            LEFT JOIN sessions AS s ON s.period = v.period AND s.property_key = v.property_key
            LEFT JOIN returners AS r ON r.period = v.period AND r.property_key = v.property_key
            ORDER BY v.period, v.pageviews DESC, pr.name
            """
    }
}
