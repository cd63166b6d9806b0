import FootprintOutput
import FootprintWarehouse

/// attention.csv — share of attention: for each tracked brand, group activities that
/// mention it (whole word, once per activity) and short-link clicks on its domains
/// (subdomains included), per period and channel. Channel `all` sums every platform
/// and click channel; the others are group platforms and click channels by name.
/// Every brand appears in every period and channel that has data, with 0 where it was
/// not mentioned, so `share_change` (against the previous period, in fraction points)
/// is defined wherever that channel had data in both periods.
enum AttentionReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        let p = scope.period.labelColumn
        let previous = scope.period.previousLabelColumn
        try ReportQuery.table(db, name: "attention", columns: [
            ("period", .text), ("channel", .text), ("entity", .text), ("is_self", .text), ("mentions", .integer),
            ("share", .share), ("clicks", .integer), ("click_share", .share), ("share_change", .share),
        ], sql: """
            WITH mention_rows AS (
                SELECT d.\(p) AS period, g.platform AS channel, m.brand_key
                FROM fact_brand_mention AS m
                JOIN fact_group_activity AS f ON f.activity_key = m.activity_key
                JOIN dim_group AS g ON g.group_key = f.group_key
                JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key BETWEEN :first AND :last
            ), content_brands AS (
                -- Which brand each clicked page belongs to, decided once per page (not
                -- per click); DISTINCT so a page matching two of a brand's domains counts once.
                SELECT DISTINCT c.content_key, bd.brand_key
                FROM dim_content AS c
                JOIN dim_brand_domain AS bd
                  ON c.host = bd.domain
                  OR (LENGTH(c.host) > LENGTH(bd.domain)
                      AND SUBSTR(c.host, LENGTH(c.host) - LENGTH(bd.domain)) = '.' || bd.domain)
            ), daily_clicks AS (
                -- Clicks grouped by integer keys first, in the order of fact_click_by_day
                -- (day, channel, page: no sort), then by brand: the texts of periods and
                -- channels are joined to a few hundred rows, not to each click.
                SELECT x.date_key, x.channel_key, cb.brand_key, SUM(x.clicks) AS clicks
                FROM (SELECT date_key, channel_key, content_key, COUNT(*) AS clicks
                      FROM fact_click WHERE date_key BETWEEN :first AND :last
                      GROUP BY date_key, channel_key, content_key) AS x
                JOIN content_brands AS cb ON cb.content_key = x.content_key
                GROUP BY x.date_key, x.channel_key, cb.brand_key
            ), click_rows AS (
                SELECT d.\(p) AS period, ch.name AS channel, x.brand_key, x.clicks
                FROM daily_clicks AS x
                JOIN dim_date AS d ON d.date_key = x.date_key
                JOIN dim_channel AS ch ON ch.channel_key = x.channel_key
            ), counts AS (
                SELECT period, channel, brand_key, COUNT(*) AS mentions, 0 AS clicks
                FROM mention_rows WHERE channel <> '' GROUP BY period, channel, brand_key
                UNION ALL
                SELECT period, 'all', brand_key, COUNT(*), 0 FROM mention_rows GROUP BY period, brand_key
                UNION ALL
                SELECT period, channel, brand_key, 0, SUM(clicks)
                FROM click_rows WHERE channel <> '' GROUP BY period, channel, brand_key
                UNION ALL
                SELECT period, 'all', brand_key, 0, SUM(clicks) FROM click_rows GROUP BY period, brand_key
            ), totals AS (
                SELECT period, channel, brand_key, SUM(mentions) AS mentions, SUM(clicks) AS clicks
                FROM counts GROUP BY period, channel, brand_key
            ), active AS (
                SELECT DISTINCT period, channel FROM totals
                UNION
                SELECT DISTINCT d.\(p), 'all'
                FROM (SELECT DISTINCT date_key FROM fact_group_activity WHERE date_key BETWEEN :first AND :last
                      UNION SELECT DISTINCT date_key FROM fact_click WHERE date_key BETWEEN :first AND :last) AS days
                JOIN dim_date AS d ON d.date_key = days.date_key
            ), grid AS (
                SELECT a.period, a.channel, b.brand_key, b.name, b.is_self,
                       COALESCE(t.mentions, 0) AS mentions, COALESCE(t.clicks, 0) AS clicks
                FROM active AS a
                CROSS JOIN dim_brand AS b
                LEFT JOIN totals AS t ON t.period = a.period AND t.channel = a.channel AND t.brand_key = b.brand_key
            ), shares AS (
                SELECT grid.*,
                       CAST(mentions AS DOUBLE PRECISION) / NULLIF(SUM(mentions) OVER (PARTITION BY period, channel), 0) AS share,
                       CAST(clicks AS DOUBLE PRECISION) / NULLIF(SUM(clicks) OVER (PARTITION BY period, channel), 0) AS click_share
                FROM grid
            ), periods AS (
                SELECT DISTINCT \(p) AS period, \(previous) AS previous FROM dim_date
            )
            SELECT s.period, s.channel, s.name, CASE WHEN s.is_self = 1 THEN 'true' ELSE 'false' END,
                   s.mentions, s.share, s.clicks, s.click_share, s.share - before.share AS share_change
            FROM shares AS s
            JOIN periods AS pe ON pe.period = s.period
            LEFT JOIN shares AS before
              ON before.period = pe.previous AND before.channel = s.channel AND before.brand_key = s.brand_key
            ORDER BY s.period, s.channel, s.mentions DESC, s.clicks DESC, s.name
            """, arguments: scope.range, into: sink)
    }
}
