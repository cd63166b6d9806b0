import FootprintOutput
import FootprintWarehouse

/// influencers.csv — who, outside the company, starts the conversations others answer:
/// per period and platform, each actor who posted, commented or shared in the period
/// (the accounts of every tracked brand left out). `responses_received` adds up the
/// `count` of the period's activities whose parent is theirs; `responders` counts the
/// other actors among those; `reshares` the shares among them; the mentions count their
/// own activities that name the self brand or a competitor. `top_group` is the group of
/// most of their activities (ties by name), `country` the commonest known country of
/// them (`ZZ` when none is known). Ranked by responses, then responders, then the
/// actor's name; the first `influencers_top` of each period and platform.
enum InfluencersReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        let p = scope.period.labelColumn
        let k = scope.period.keyColumn
        try ReportQuery.table(db, name: "influencers", columns: [
            ("period", .text), ("platform", .text), ("actor", .text), ("posts", .integer), ("comments", .integer),
            ("responses_received", .integer), ("responders", .integer), ("reshares", .integer),
            ("self_mentions", .integer), ("competitor_mentions", .integer), ("top_group", .text), ("country", .text),
            ("rank", .integer),
        ], sql: """
            WITH acts AS (
                -- Periods by their integer key until the end: the joins below match
                -- tens of thousands of authors, and integers compare faster than labels.
                SELECT d.\(k) AS period, g.platform, f.group_key, f.activity_key, f.person_key,
                       f.parent_person_key, f.activity_count, f.geo_key, \(GroupRoles.role()) AS role
                FROM fact_group_activity AS f
                JOIN dim_date AS d ON d.date_key = f.date_key
                JOIN dim_group AS g ON g.group_key = f.group_key
                WHERE f.date_key BETWEEN :first AND :last
            ), authors AS (
                SELECT period, platform, person_key,
                       SUM(CASE WHEN role = 'post' THEN 1 ELSE 0 END) AS posts,
                       SUM(CASE WHEN role = 'comment' THEN 1 ELSE 0 END) AS comments
                FROM acts
                WHERE role IN ('post', 'comment', 'share')
                  AND person_key NOT IN (SELECT person_key FROM dim_brand_account)
                GROUP BY period, platform, person_key
            ), responses AS (
                -- parent_person_key: who wrote the activity answered (kept by the loader).
                SELECT a.period, a.platform, a.parent_person_key AS person_key,
                       SUM(a.activity_count) AS responses_received,
                       COUNT(DISTINCT CASE WHEN a.person_key <> a.parent_person_key THEN a.person_key END) AS responders,
                       SUM(CASE WHEN a.role = 'share' THEN 1 ELSE 0 END) AS reshares
                FROM acts AS a
                WHERE a.parent_person_key IS NOT NULL
                GROUP BY a.period, a.platform, a.parent_person_key
            ), scored AS (
                -- RANK by the numbers alone: an author ranked past :top here has at
                -- least :top authors strictly ahead, so only the others (ties
                -- included) need a name for the tie-break and their mentions counted.
                -- Naming all 60,000 authors of a period was a third of the report.
                SELECT au.period, au.platform, au.person_key, au.posts, au.comments,
                       COALESCE(r.responses_received, 0) AS responses_received,
                       COALESCE(r.responders, 0) AS responders, COALESCE(r.reshares, 0) AS reshares,
                       RANK() OVER (PARTITION BY au.period, au.platform
                                    ORDER BY COALESCE(r.responses_received, 0) DESC, COALESCE(r.responders, 0) DESC) AS standing
                FROM authors AS au
                LEFT JOIN responses AS r ON r.period = au.period AND r.platform = au.platform AND r.person_key = au.person_key
            ), candidates AS (
                SELECT s.*, \(GroupRoles.actorName()) AS actor
                FROM scored AS s
                JOIN dim_person AS p ON p.person_key = s.person_key
                LEFT JOIN dim_actor_handle AS h ON h.person_key = s.person_key
                WHERE s.standing <= :top
            ), top AS (
                SELECT * FROM (SELECT candidates.*,
                                      ROW_NUMBER() OVER (PARTITION BY period, platform
                                                         ORDER BY responses_received DESC, responders DESC, actor) AS rank
                               FROM candidates) AS numbered
                WHERE rank <= :top
            ), top_acts AS (
                -- Top group, country and mentions only for the actors listed.
                SELECT a.period, a.platform, a.person_key, a.activity_key, a.group_key, a.geo_key
                FROM acts AS a
                JOIN top AS t ON t.period = a.period AND t.platform = a.platform AND t.person_key = a.person_key
            ), mentions AS (
                SELECT x.period, x.platform, x.person_key,
                       COUNT(DISTINCT CASE WHEN x.is_self = 1 THEN x.activity_key END) AS self_mentions,
                       COUNT(DISTINCT CASE WHEN x.is_self = 0 THEN x.activity_key END) AS competitor_mentions
                FROM (SELECT a.period, a.platform, a.person_key, a.activity_key, b.is_self
                      FROM top_acts AS a
                      JOIN fact_brand_mention AS m ON m.activity_key = a.activity_key
                      JOIN dim_brand AS b ON b.brand_key = m.brand_key) AS x
                GROUP BY x.period, x.platform, x.person_key
            ), groups_ranked AS (
                SELECT a.period, a.platform, a.person_key, g.name AS group_name,
                       ROW_NUMBER() OVER (PARTITION BY a.period, a.platform, a.person_key ORDER BY COUNT(*) DESC, g.name) AS n
                FROM top_acts AS a JOIN dim_group AS g ON g.group_key = a.group_key
                GROUP BY a.period, a.platform, a.person_key, a.group_key, g.name
            ), top_groups AS (
                -- Grouped, not filtered: SQLite indexes a grouped result for the join below,
                -- but scanned the ranked rows once per actor (minutes for 30,000 of them).
                SELECT period, platform, person_key, MAX(CASE WHEN n = 1 THEN group_name END) AS group_name
                FROM groups_ranked GROUP BY period, platform, person_key
            ), countries_ranked AS (
                SELECT a.period, a.platform, a.person_key, geo.country_code,
                       ROW_NUMBER() OVER (PARTITION BY a.period, a.platform, a.person_key
                                          ORDER BY COUNT(*) DESC, geo.country_code) AS n
                FROM top_acts AS a JOIN dim_geography AS geo ON geo.geo_key = a.geo_key
                WHERE geo.country_code <> 'ZZ'
                GROUP BY a.period, a.platform, a.person_key, geo.country_code
            ), top_countries AS (
                SELECT period, platform, person_key, MAX(CASE WHEN n = 1 THEN country_code END) AS country_code
                FROM countries_ranked GROUP BY period, platform, person_key
            ), labels AS (
                SELECT DISTINCT \(k) AS period_key, \(p) AS label FROM dim_date
            )
            SELECT l.label, t.platform, t.actor, t.posts, t.comments, t.responses_received, t.responders, t.reshares,
                   COALESCE(m.self_mentions, 0), COALESCE(m.competitor_mentions, 0), tg.group_name, COALESCE(tc.country_code, 'ZZ'), t.rank
            FROM top AS t
            JOIN labels AS l ON l.period_key = t.period
            LEFT JOIN mentions AS m ON m.period = t.period AND m.platform = t.platform AND m.person_key = t.person_key
            LEFT JOIN top_groups AS tg ON tg.period = t.period AND tg.platform = t.platform AND tg.person_key = t.person_key
            LEFT JOIN top_countries AS tc ON tc.period = t.period AND tc.platform = t.platform AND tc.person_key = t.person_key
            ORDER BY t.period, t.platform, t.rank
            """, arguments: scope.range.merging(["top": SQLValue(scope.influencersTop)]) { $1 }, into: sink)
    }
}
