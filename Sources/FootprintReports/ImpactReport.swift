import FootprintOutput
import FootprintWarehouse

/// impact.csv — return on media impact: per period and metric of the outcomes input,
/// the metric's total, its change from the previous period as a fraction (empty when
/// that period has no value for it, or 0), beside the self brand's mentions in groups
/// and its share of all brand mentions (share of attention, every channel), the page
/// views and the short-link clicks of the period. A row per period in which the metric
/// has values: a period without a figure is unknown, not zero.
enum ImpactReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        let p = scope.period.labelColumn
        let previous = scope.period.previousLabelColumn
        try ReportQuery.table(db, name: "impact", columns: [
            ("period", .text), ("metric", .text), ("value", .decimal(places: 4)), ("value_change", .share),
            ("self_mentions", .integer), ("self_share", .share), ("views", .integer), ("clicks", .integer),
        ], sql: """
            WITH outcomes AS (
                -- Every period, not only the scope's: the first period shown has a change too.
                SELECT d.\(p) AS period, MIN(d.\(previous)) AS previous, o.metric, SUM(o.value) AS value
                FROM fact_outcome AS o JOIN dim_date AS d ON d.date_key = o.date_key
                GROUP BY d.\(p), o.metric
            ), mentions AS (
                SELECT d.\(p) AS period,
                       COUNT(DISTINCT CASE WHEN b.is_self = 1 THEN m.activity_key END) AS self_mentions,
                       COUNT(*) AS all_mentions
                FROM fact_brand_mention AS m
                JOIN dim_brand AS b ON b.brand_key = m.brand_key
                JOIN fact_group_activity AS f ON f.activity_key = m.activity_key
                JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key BETWEEN :first AND :last
                GROUP BY d.\(p)
            ), views AS (
                SELECT d.\(p) AS period, SUM(a.views) AS views
                FROM agg_page_view_referral AS a JOIN dim_date AS d ON d.date_key = a.date_key
                WHERE a.date_key BETWEEN :first AND :last
                GROUP BY d.\(p)
            ), clicks AS (
                SELECT d.\(p) AS period, SUM(x.clicks) AS clicks
                FROM (SELECT date_key, COUNT(*) AS clicks FROM fact_click
                      WHERE date_key BETWEEN :first AND :last GROUP BY date_key) AS x
                JOIN dim_date AS d ON d.date_key = x.date_key
                GROUP BY d.\(p)
            )
            SELECT o.period, o.metric, o.value,
                   (o.value - before.value) / NULLIF(ABS(before.value), 0),
                   COALESCE(m.self_mentions, 0), CAST(m.self_mentions AS DOUBLE PRECISION) / NULLIF(m.all_mentions, 0),
                   COALESCE(v.views, 0), COALESCE(c.clicks, 0)
            FROM outcomes AS o
            LEFT JOIN outcomes AS before ON before.period = o.previous AND before.metric = o.metric
            LEFT JOIN mentions AS m ON m.period = o.period
            LEFT JOIN views AS v ON v.period = o.period
            LEFT JOIN clicks AS c ON c.period = o.period
            WHERE o.period IN (SELECT DISTINCT \(p) FROM dim_date WHERE date_key BETWEEN :first AND :last)
            ORDER BY o.period, o.metric
            """, arguments: scope.range, into: sink)
    }
}
