import FootprintOutput
import GRDB

/// goals.csv — calls to action: per period and goal, how many visits converted, broken
/// down by where the visit came from. A visit is the visitor's across properties
/// (fact_visit: sessions within the session timeout of each other, merged); it converts
/// for a goal when one of its page views is one of the goal's pages, once per visit and
/// goal, in the period the visit starts. Breakdowns: `all`; `category` and `referrer`
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
            WITH visits AS (
                SELECT v.visit_key, d.\(p) AS period, r.category,
                       CASE WHEN r.domain = '' THEN '(direct)' ELSE r.domain END AS referrer, c.url AS landing
                FROM fact_visit AS v
                JOIN dim_date AS d ON d.date_key = v.date_key
                JOIN dim_referrer AS r ON r.referrer_key = v.referrer_key
                JOIN dim_content AS c ON c.content_key = v.landing_content_key
                WHERE v.date_key BETWEEN :first AND :last
            ), goal_views AS (
                SELECT cg.goal_key, f.person_key, f.viewed_at
                FROM fact_page_view AS f
                JOIN content_goal AS cg ON cg.content_key = f.content_key
            ), converted AS (
                SELECT DISTINCT gv.goal_key, v.visit_key
                FROM goal_views AS gv
                JOIN fact_visit AS v ON v.person_key = gv.person_key
                                    AND gv.viewed_at BETWEEN v.started_at AND v.ended_at
                WHERE v.date_key BETWEEN :first AND :last
            ), by_value AS (
                SELECT period, 'all' AS breakdown, 'all' AS value, visit_key FROM visits
                UNION ALL SELECT period, 'category', category, visit_key FROM visits
                UNION ALL SELECT period, 'referrer', referrer, visit_key FROM visits
                UNION ALL SELECT period, 'landing', landing, visit_key FROM visits
            ), sessions AS (
                SELECT period, breakdown, value, COUNT(*) AS sessions
                FROM by_value GROUP BY period, breakdown, value
            ), conversions AS (
                SELECT b.period, cv.goal_key, b.breakdown, b.value, COUNT(*) AS conversions
                FROM by_value AS b JOIN converted AS cv ON cv.visit_key = b.visit_key
                GROUP BY b.period, cv.goal_key, b.breakdown, b.value
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
