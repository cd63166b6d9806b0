import FootprintOutput
import GRDB

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
    static func table(_ db: Database, scope: ReportScope) throws -> CSVTable {
        let p = scope.period.labelColumn
        return try ReportQuery.table(db, name: "goals", columns: [
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
            ), by_key AS (
                SELECT period, NULL AS goal_key, referrer_key, landing_content_key, SUM(visits) AS sessions, 0 AS conversions
                FROM starts GROUP BY period, referrer_key, landing_content_key
                UNION ALL
                SELECT s.period, g.goal_key, s.referrer_key, s.landing_content_key, 0, SUM(s.visits)
                FROM starts AS s JOIN dim_goal AS g ON (s.goal_mask & (1 << g.bit)) <> 0
                WHERE s.goal_mask <> 0
                GROUP BY s.period, g.goal_key, s.referrer_key, s.landing_content_key
            ), by_value AS (
                SELECT b.period, b.goal_key, 'all' AS breakdown, 'all' AS value, b.sessions, b.conversions FROM by_key AS b
                UNION ALL
                SELECT b.period, b.goal_key, 'category', r.category, b.sessions, b.conversions
                FROM by_key AS b JOIN dim_referrer AS r ON r.referrer_key = b.referrer_key
                UNION ALL
                SELECT b.period, b.goal_key, 'referrer', CASE WHEN r.domain = '' THEN '(direct)' ELSE r.domain END,
                       b.sessions, b.conversions
                FROM by_key AS b JOIN dim_referrer AS r ON r.referrer_key = b.referrer_key
                UNION ALL
                SELECT b.period, b.goal_key, 'landing', c.url, b.sessions, b.conversions
                FROM by_key AS b JOIN dim_content AS c ON c.content_key = b.landing_content_key
            ), sessions AS (
                SELECT period, breakdown, value, SUM(sessions) AS sessions
                FROM by_value WHERE goal_key IS NULL GROUP BY period, breakdown, value
            ), conversions AS (
                SELECT period, goal_key, breakdown, value, SUM(conversions) AS conversions
                FROM by_value WHERE goal_key IS NOT NULL GROUP BY period, goal_key, breakdown, value
            )
            SELECT s.period, g.name, s.breakdown, s.value, s.sessions, COALESCE(c.conversions, 0),
                   CAST(COALESCE(c.conversions, 0) AS REAL) / s.sessions
            FROM sessions AS s
            CROSS JOIN dim_goal AS g
            LEFT JOIN conversions AS c
              ON c.period = s.period AND c.goal_key = g.goal_key AND c.breakdown = s.breakdown AND c.value = s.value
            WHERE s.breakdown IN ('all', 'category') OR c.conversions > 0
            ORDER BY s.period, g.name,
                     CASE s.breakdown WHEN 'all' THEN 0 WHEN 'category' THEN 1 WHEN 'referrer' THEN 2 ELSE 3 END,
                     COALESCE(c.conversions, 0) DESC, s.sessions DESC, s.value
            """, arguments: ["first": scope.firstDay, "last": scope.lastDay])
    }
}
