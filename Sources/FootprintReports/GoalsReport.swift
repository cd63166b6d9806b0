import FootprintOutput
import FootprintWarehouse

/// goals.csv — calls to action: per period and goal, how many visits converted, broken
/// down by where the visit came from. A visit is the visitor's across properties
/// (fact_visit: sessions within the session timeout of each other, merged); it converts
/// for a goal when one of its page views is one of the goal's pages, once per visit and
/// goal, in the period the visit starts (the sessionizer records which goals' pages
/// each visit viewed, as it cuts sessions). Breakdowns: `all`; `category` and `referrer`
/// of the visit's first page view (`(direct)` when it had none); `landing`, its
/// canonical URL. `sessions` are the visits of that breakdown value, converting or not;
/// `all` and `category` list every value with visits, `referrer` and `landing` only
/// those with a conversion (listing every page of a site for every goal helps nobody).
enum GoalsReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        let p = scope.period.labelColumn
        try ReportQuery.table(db, name: "goals", columns: [
            ("period", .text), ("goal", .text), ("breakdown", .text), ("value", .text), ("sessions", .integer),
            ("conversions", .integer), ("conversion_rate", .share),
        ], sql: """
            WITH starts AS (
                -- The sessionizer's visit summary: visits per day, first referrer, landing
                -- page and the goals they reached (agg_visit_start), a few rows per day.
                SELECT d.\(p) AS period, a.referrer_key, a.landing_content_key, a.goal_mask, SUM(a.visits) AS visits
                FROM agg_visit_start AS a
                JOIN dim_date AS d ON d.date_key = a.date_key
                WHERE a.date_key BETWEEN :first AND :last
                GROUP BY d.\(p), a.referrer_key, a.landing_content_key, a.goal_mask
            ), conv AS (
                SELECT s.period, g.goal_key, s.referrer_key, s.landing_content_key, SUM(s.visits) AS conversions
                FROM starts AS s JOIN dim_goal AS g ON (s.goal_mask & (CAST(1 AS BIGINT) << CAST(g.bit AS INTEGER))) <> 0
                WHERE s.goal_mask <> 0
                GROUP BY s.period, g.goal_key, s.referrer_key, s.landing_content_key
            ), conv_all AS (
                -- Conversions per period and goal, and per category, joined below rather
                -- than summed by a subquery per row: PostgreSQL scans a CTE in full for
                -- each outer row (goals.csv of 2 million varied page views: seconds).
                SELECT period, goal_key, SUM(conversions) AS conversions FROM conv GROUP BY period, goal_key
            ), conv_category AS (
                SELECT c.period, c.goal_key, r.category, SUM(c.conversions) AS conversions
                FROM conv AS c JOIN dim_referrer AS r ON r.referrer_key = c.referrer_key
                GROUP BY c.period, c.goal_key, r.category
            ), by_referrer AS (
                SELECT s.period, s.referrer_key, SUM(s.visits) AS sessions FROM starts AS s GROUP BY s.period, s.referrer_key
            ), by_landing AS (
                -- Only landing pages that converted: a site's every page for every goal
                -- would be most of the report, and most of its cost.
                SELECT s.period, s.landing_content_key, SUM(s.visits) AS sessions
                FROM starts AS s
                WHERE s.landing_content_key IN (SELECT landing_content_key FROM conv)
                GROUP BY s.period, s.landing_content_key
            ), rows AS (
                SELECT t.period, t.goal_key, 'all' AS breakdown, 'all' AS value, t.sessions,
                       COALESCE(ca.conversions, 0) AS conversions
                FROM (SELECT b.period, g.goal_key, SUM(b.sessions) AS sessions
                      FROM by_referrer AS b CROSS JOIN dim_goal AS g
                      GROUP BY b.period, g.goal_key) AS t
                LEFT JOIN conv_all AS ca ON ca.period = t.period AND ca.goal_key = t.goal_key
                UNION ALL
                SELECT t.period, t.goal_key, 'category', t.category, t.sessions, COALESCE(cc.conversions, 0)
                FROM (SELECT b.period, g.goal_key, r.category, SUM(b.sessions) AS sessions
                      FROM by_referrer AS b JOIN dim_referrer AS r ON r.referrer_key = b.referrer_key CROSS JOIN dim_goal AS g
                      GROUP BY b.period, g.goal_key, r.category) AS t
                LEFT JOIN conv_category AS cc ON cc.period = t.period AND cc.goal_key = t.goal_key AND cc.category = t.category
                UNION ALL
                SELECT c.period, c.goal_key, 'referrer', CASE WHEN r.domain = '' THEN '(direct)' ELSE r.domain END,
                       b.sessions, SUM(c.conversions)
                FROM conv AS c
                JOIN by_referrer AS b ON b.period = c.period AND b.referrer_key = c.referrer_key
                JOIN dim_referrer AS r ON r.referrer_key = c.referrer_key
                GROUP BY c.period, c.goal_key, c.referrer_key, r.domain, b.sessions
                UNION ALL
                SELECT c.period, c.goal_key, 'landing', ct.url, b.sessions, SUM(c.conversions)
                FROM conv AS c
                JOIN by_landing AS b ON b.period = c.period AND b.landing_content_key = c.landing_content_key
                JOIN dim_content AS ct ON ct.content_key = c.landing_content_key
                GROUP BY c.period, c.goal_key, c.landing_content_key, ct.url, b.sessions
            )
            SELECT x.period, g.name, x.breakdown, x.value, x.sessions, x.conversions,
                   CAST(x.conversions AS DOUBLE PRECISION) / x.sessions
            FROM rows AS x JOIN dim_goal AS g ON g.goal_key = x.goal_key
            ORDER BY x.period, g.name,
                     CASE x.breakdown WHEN 'all' THEN 0 WHEN 'category' THEN 1 WHEN 'referrer' THEN 2 ELSE 3 END,
                     x.conversions DESC, x.sessions DESC, x.value
            """, arguments: scope.range, into: sink)
    }
}
