import FootprintOutput
import FootprintWarehouse

/// topics.csv — which subjects get attention: per period and topic, its content items
/// with activity in the period (viewed, clicked or shared in a group), their page views
/// and distinct visitors, short-link clicks on them and their share of all clicks, the
/// group activities of the period in threads where one of its items was shared, and the
/// activities whose title or text holds one of its keywords (`mentions`), as a share of
/// all activities of the period with a title or text. Every topic appears in every
/// period of the scope that holds page views, clicks or group activities.
enum TopicsReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        try ReportQuery.table(db, name: "topics", columns: [
            ("period", .text), ("topic", .text), ("items", .integer), ("views", .integer), ("visitors", .integer),
            ("clicks", .integer), ("click_share", .share), ("group_activities", .integer), ("mentions", .integer),
            ("mention_share", .share),
        ], sql: sql(scope), arguments: scope.range, into: sink)
    }

    /// The report's statement over `:first` … `:last` (PostgresReportPlanTests reads its plan).
    static func sql(_ scope: ReportScope) -> String {
        let p = scope.period.labelColumn
        return """
            WITH item_views AS (
                SELECT d.\(p) AS period, ct.topic_key, a.content_key, SUM(a.views) AS views
                FROM agg_page_view_referral AS a
                JOIN content_topic AS ct ON ct.content_key = a.content_key
                JOIN dim_date AS d ON d.date_key = a.date_key
                WHERE a.date_key BETWEEN :first AND :last
                GROUP BY d.\(p), ct.topic_key, a.content_key
            ), visitors AS (
                -- Who viewed a topic's pages on which day, once each, kept by the sessionizer.
                SELECT d.\(p) AS period, v.topic_key, COUNT(DISTINCT v.person_key) AS visitors
                FROM agg_topic_visitor_day AS v
                JOIN dim_date AS d ON d.date_key = v.date_key
                WHERE v.date_key BETWEEN :first AND :last
                GROUP BY d.\(p), v.topic_key
            ), item_clicks AS (
                -- Per day and page first, in fact_click_by_day's order (no sort).
                SELECT d.\(p) AS period, ct.topic_key, x.content_key, SUM(x.clicks) AS clicks
                FROM (SELECT date_key, content_key, COUNT(*) AS clicks
                      FROM fact_click WHERE date_key BETWEEN :first AND :last
                      GROUP BY date_key, content_key) AS x
                JOIN content_topic AS ct ON ct.content_key = x.content_key
                JOIN dim_date AS d ON d.date_key = x.date_key
                GROUP BY d.\(p), ct.topic_key, x.content_key
            ), all_clicks AS (
                SELECT d.\(p) AS period, SUM(x.clicks) AS clicks
                FROM (SELECT date_key, COUNT(*) AS clicks FROM fact_click
                      WHERE date_key BETWEEN :first AND :last GROUP BY date_key) AS x
                JOIN dim_date AS d ON d.date_key = x.date_key
                GROUP BY d.\(p)
            ), item_shares AS (
                SELECT d.\(p) AS period, ct.topic_key, f.content_key
                FROM fact_group_activity AS f
                JOIN content_topic AS ct ON ct.content_key = f.content_key
                JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key BETWEEN :first AND :last
            ), items AS (
                SELECT period, topic_key, COUNT(DISTINCT content_key) AS items
                FROM (SELECT period, topic_key, content_key FROM item_views
                      UNION SELECT period, topic_key, content_key FROM item_clicks
                      UNION SELECT period, topic_key, content_key FROM item_shares) AS active
                GROUP BY period, topic_key
            ), topic_threads AS (
                SELECT DISTINCT ct.topic_key, f.thread_root_key
                FROM fact_group_activity AS f
                JOIN content_topic AS ct ON ct.content_key = f.content_key
            ), thread_activity AS (
                SELECT d.\(p) AS period, tt.topic_key, COUNT(*) AS activities
                FROM topic_threads AS tt
                JOIN fact_group_activity AS f ON f.thread_root_key = tt.thread_root_key
                JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key BETWEEN :first AND :last
                GROUP BY d.\(p), tt.topic_key
            ), mentions AS (
                SELECT d.\(p) AS period, m.topic_key, COUNT(*) AS mentions
                FROM fact_topic_mention AS m
                JOIN fact_group_activity AS f ON f.activity_key = m.activity_key
                JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key BETWEEN :first AND :last
                GROUP BY d.\(p), m.topic_key
            ), written AS (
                SELECT d.\(p) AS period, COUNT(*) AS activities
                FROM fact_group_activity AS f JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key BETWEEN :first AND :last AND (f.title <> '' OR f.body <> '')
                GROUP BY d.\(p)
            ), totals AS (
                SELECT v.period, v.topic_key, SUM(v.views) AS views, 0 AS clicks FROM item_views AS v GROUP BY v.period, v.topic_key
                UNION ALL
                SELECT c.period, c.topic_key, 0, SUM(c.clicks) FROM item_clicks AS c GROUP BY c.period, c.topic_key
            ), topic_totals AS (
                SELECT period, topic_key, SUM(views) AS views, SUM(clicks) AS clicks FROM totals GROUP BY period, topic_key
            ), periods AS (
                SELECT DISTINCT d.\(p) AS period FROM agg_page_view_referral AS a JOIN dim_date AS d ON d.date_key = a.date_key
                WHERE a.date_key BETWEEN :first AND :last
                UNION
                SELECT period FROM all_clicks
                UNION
                SELECT DISTINCT d.\(p) FROM fact_group_activity AS f JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key BETWEEN :first AND :last
            )
            SELECT pe.period, t.name, COALESCE(i.items, 0), COALESCE(tt.views, 0), COALESCE(vi.visitors, 0),
                   COALESCE(tt.clicks, 0), CAST(COALESCE(tt.clicks, 0) AS DOUBLE PRECISION) / NULLIF(ac.clicks, 0),
                   COALESCE(ta.activities, 0), COALESCE(m.mentions, 0),
                   CAST(COALESCE(m.mentions, 0) AS DOUBLE PRECISION) / NULLIF(w.activities, 0)
            FROM periods AS pe
            CROSS JOIN dim_topic AS t
            LEFT JOIN items AS i ON i.period = pe.period AND i.topic_key = t.topic_key
            LEFT JOIN topic_totals AS tt ON tt.period = pe.period AND tt.topic_key = t.topic_key
            LEFT JOIN visitors AS vi ON vi.period = pe.period AND vi.topic_key = t.topic_key
            LEFT JOIN all_clicks AS ac ON ac.period = pe.period
            LEFT JOIN thread_activity AS ta ON ta.period = pe.period AND ta.topic_key = t.topic_key
            LEFT JOIN mentions AS m ON m.period = pe.period AND m.topic_key = t.topic_key
            LEFT JOIN written AS w ON w.period = pe.period
            ORDER BY pe.period, t.name
            """
    }
}
