import FootprintOutput
import FootprintWarehouse

/// referrers.csv — per period and property: where visits (sessions) came from, by the
/// referrer of each session's first page view; direct visits are `(direct)`. Share is
/// of all visits of that period and property; rank 1 is the largest. Read from the
/// sessionizer's daily summary (agg_session_start).
enum ReferrersReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        let p = scope.period.labelColumn
        try ReportQuery.table(db, name: "referrers", columns: [
            ("period", .text), ("property", .text), ("referrer_domain", .text), ("category", .text),
            ("visits", .integer), ("share", .share), ("rank", .integer),
        ], sql: """
            WITH visits AS (
                SELECT d.\(p) AS period, pr.name AS property,
                       CASE WHEN r.domain = '' THEN '(direct)' ELSE r.domain END AS referrer_domain,
                       r.category, SUM(f.sessions) AS visits
                FROM agg_session_start AS f
                JOIN dim_date AS d ON d.date_key = f.date_key
                JOIN dim_property AS pr ON pr.property_key = f.property_key
                JOIN dim_referrer AS r ON r.referrer_key = f.referrer_key
                WHERE f.date_key BETWEEN :first AND :last
                GROUP BY d.\(p), pr.name, r.domain, r.category
            )
            SELECT period, property, referrer_domain, category, visits,
                   CAST(visits AS DOUBLE PRECISION) / SUM(visits) OVER (PARTITION BY period, property) AS share,
                   ROW_NUMBER() OVER (PARTITION BY period, property ORDER BY visits DESC, referrer_domain) AS rank
            FROM visits
            ORDER BY period, property, visits DESC, referrer_domain
            """, arguments: scope.range, into: sink)
    }
}
