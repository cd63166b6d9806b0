import FootprintOutput
import FootprintWarehouse

/// bots.csv — what was filtered out as not people, per period and channel: each bot
/// (by its user-agent name) and each referrer-spam domain with its hits, and `share`,
/// its part of all the channel's traffic in the period (people's page views or clicks
/// plus everything filtered). Rows whose timestamp could not be read have no period
/// and are left out (they are in the ingest summary).
enum BotsReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        let p = scope.period.labelColumn
        try ReportQuery.table(db, name: "bots", columns: [
            ("period", .text), ("channel", .text), ("cause", .text), ("source", .text), ("hits", .integer),
            ("share", .share),
        ], sql: """
            WITH filtered AS (
                SELECT d.\(p) AS period,
                       CASE WHEN f.kind = 'clicks' THEN 'clicks' ELSE 'web:' || COALESCE(pr.name, '') END AS channel,
                       f.cause, f.source, SUM(f.hits) AS hits
                FROM fact_filtered_traffic AS f
                JOIN dim_date AS d ON d.date_key = f.date_key
                LEFT JOIN dim_property AS pr ON pr.property_key = f.property_key
                WHERE f.date_key BETWEEN :first AND :last
                GROUP BY 1, 2, 3, 4
            ), people AS (
                SELECT rp.period, 'web:' || pr.name AS channel, x.views AS hits
                FROM report_web_totals AS x
                JOIN report_periods AS rp ON rp.period_key = x.period_key
                JOIN dim_property AS pr ON pr.property_key = x.property_key
                UNION ALL
                SELECT d.\(p), 'clicks', SUM(x.clicks)
                FROM (SELECT date_key, COUNT(*) AS clicks FROM fact_click
                      WHERE date_key BETWEEN :first AND :last GROUP BY date_key) AS x
                JOIN dim_date AS d ON d.date_key = x.date_key
                GROUP BY 1
            )
            SELECT f.period, f.channel, f.cause, f.source, f.hits,
                   CAST(f.hits AS DOUBLE PRECISION) / (SUM(f.hits) OVER (PARTITION BY f.period, f.channel) + COALESCE(p.hits, 0)) AS share
            FROM filtered AS f
            LEFT JOIN people AS p ON p.period = f.period AND p.channel = f.channel
            ORDER BY f.period, f.channel, f.hits DESC, f.cause, f.source
            """, arguments: scope.range, into: sink)
    }
}
