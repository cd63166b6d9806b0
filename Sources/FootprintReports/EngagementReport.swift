import FootprintOutput
import GRDB

/// engagement.csv — per period and property: page views, distinct visitors, sessions
/// (counted in the period they start), average engaged seconds over the page views that
/// report it, bounce rate (sessions of one page view) and returning-visitor rate
/// (visitors whose session in the period is not their first ever on that property).
enum EngagementReport {
    static func table(_ db: Database, scope: ReportScope) throws -> CSVTable {
        let p = scope.period.labelColumn
        return try ReportQuery.table(db, name: "engagement", columns: [
            ("period", .text), ("property", .text), ("pageviews", .integer), ("visitors", .integer),
            ("sessions", .integer), ("avg_engaged_seconds", .decimal(places: 1)), ("bounce_rate", .share),
            ("returning_visitor_rate", .share),
        ], sql: """
            WITH views AS (
                SELECT d.\(p) AS period, pr.name AS property, f.person_key, f.engaged_seconds,
                       f.is_session_start, f.session_page_count, f.session_number
                FROM fact_page_view AS f
                JOIN dim_date AS d ON d.date_key = f.date_key
                JOIN dim_property AS pr ON pr.property_key = f.property_key
                WHERE f.date_key BETWEEN :first AND :last
            )
            SELECT period, property,
                   COUNT(*) AS pageviews,
                   COUNT(DISTINCT person_key) AS visitors,
                   SUM(is_session_start) AS sessions,
                   AVG(engaged_seconds) AS avg_engaged_seconds,
                   CAST(SUM(CASE WHEN is_session_start = 1 AND session_page_count = 1 THEN 1 ELSE 0 END) AS REAL)
                       / NULLIF(SUM(is_session_start), 0) AS bounce_rate,
                   CAST(COUNT(DISTINCT CASE WHEN session_number > 1 THEN person_key END) AS REAL)
                       / COUNT(DISTINCT person_key) AS returning_visitor_rate
            FROM views
            GROUP BY period, property
            ORDER BY period, pageviews DESC, property
            """, arguments: ["first": scope.firstDay, "last": scope.lastDay])
    }
}
