import FootprintOutput
import FootprintWarehouse

/// groups.csv — which groups are worth posting into: per period and group, its
/// activities (rows), active members (distinct actors who posted, commented, shared or
/// reacted; viewing or joining is not activity), posts, comments and shares (rows),
/// reactions and views (their `count`s added up), our shares (written or shared
/// activities that carry a URL on our properties or the self brand's domains, or come
/// from one of the self brand's accounts), the responses to them (the `count` of every
/// activity of the period anywhere below one of our shares in its thread, each once),
/// and the activities that mention the self brand.
enum GroupsReport {
    static func table(_ db: SQLConnection, scope: ReportScope) throws -> CSVTable {
        try ReportQuery.table(db, name: "groups", columns: [
            ("period", .text), ("platform", .text), ("group", .text), ("activities", .integer), ("active_members", .integer),
            ("posts", .integer), ("comments", .integer), ("shares", .integer), ("reactions", .integer), ("views", .integer),
            ("our_shares", .integer), ("responses_to_our_shares", .integer), ("self_mentions", .integer),
        ], sql: sql(scope), arguments: scope.range)
    }

    /// The report's SQL (`:first`, `:last`: the scope's days).
    static func sql(_ scope: ReportScope) -> String {
        let p = scope.period.labelColumn
        return """
            WITH RECURSIVE owned_content AS (
                SELECT c.content_key FROM dim_content AS c
                WHERE c.host IN (SELECT host FROM dim_owned_host)
                   OR EXISTS (SELECT 1 FROM dim_brand_domain AS bd JOIN dim_brand AS b ON b.brand_key = bd.brand_key
                              WHERE b.is_self = 1
                                AND (c.host = bd.domain
                                     OR (LENGTH(c.host) > LENGTH(bd.domain)
                                         AND SUBSTR(c.host, LENGTH(c.host) - LENGTH(bd.domain)) = '.' || bd.domain)))
            ), acts AS (
                SELECT d.\(p) AS period, f.activity_key, f.group_key, f.person_key, f.activity_count, f.content_key,
                       f.thread_root_key, \(GroupRoles.role()) AS role
                FROM fact_group_activity AS f
                JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key BETWEEN :first AND :last
            ), ours AS (
                SELECT f.activity_key, f.thread_root_key FROM fact_group_activity AS f
                WHERE (f.content_key IN (SELECT content_key FROM owned_content)
                       OR f.person_key IN (\(GroupRoles.selfAccounts)))
                  AND \(GroupRoles.role()) NOT IN ('view', 'reaction', 'join')
            ), our_roots AS (
                SELECT activity_key FROM ours WHERE thread_root_key = activity_key
            ), deep (activity_key) AS (
                -- Walked down reply by reply only from our shares inside a thread that is
                -- not ours already (or whose root is unknown: a reply cycle). NOT EXISTS, an
                -- anti-join, rather than NOT IN, which PostgreSQL runs as a list per row.
                SELECT c.activity_key FROM ours AS o JOIN fact_group_activity AS c ON c.parent_activity_key = o.activity_key
                WHERE o.thread_root_key IS NULL
                   OR (o.thread_root_key <> o.activity_key
                       AND NOT EXISTS (SELECT 1 FROM our_roots AS r WHERE r.activity_key = o.thread_root_key))
                UNION
                SELECT c.activity_key FROM fact_group_activity AS c JOIN deep ON c.parent_activity_key = deep.activity_key
            ), below (activity_key) AS (
                -- Below a thread we started is the rest of that thread (the loader keeps
                -- each activity's root): no walk through 100,000 replies. Only the
                -- scope's activities are counted, so only they are looked at (a night's
                -- month, not every reply ever given in our threads).
                SELECT a.activity_key FROM acts AS a
                WHERE a.thread_root_key IN (SELECT activity_key FROM our_roots) AND a.activity_key <> a.thread_root_key
                UNION
                SELECT activity_key FROM deep
            ), responses AS (
                SELECT a.period, a.group_key, SUM(a.activity_count) AS responses
                FROM acts AS a JOIN below ON below.activity_key = a.activity_key
                GROUP BY a.period, a.group_key
            ), mentions AS (
                SELECT a.period, a.group_key, COUNT(DISTINCT a.activity_key) AS mentions
                FROM acts AS a
                JOIN fact_brand_mention AS m ON m.activity_key = a.activity_key
                JOIN dim_brand AS b ON b.brand_key = m.brand_key AND b.is_self = 1
                GROUP BY a.period, a.group_key
            ), counts AS (
                SELECT a.period, a.group_key, COUNT(*) AS activities,
                       COUNT(DISTINCT CASE WHEN a.role NOT IN ('view', 'join') THEN a.person_key END) AS active_members,
                       SUM(CASE WHEN a.role = 'post' THEN 1 ELSE 0 END) AS posts,
                       SUM(CASE WHEN a.role = 'comment' THEN 1 ELSE 0 END) AS comments,
                       SUM(CASE WHEN a.role = 'share' THEN 1 ELSE 0 END) AS shares,
                       SUM(CASE WHEN a.role = 'reaction' THEN a.activity_count ELSE 0 END) AS reactions,
                       SUM(CASE WHEN a.role = 'view' THEN a.activity_count ELSE 0 END) AS views,
                       SUM(CASE WHEN o.activity_key IS NULL THEN 0 ELSE 1 END) AS our_shares
                FROM acts AS a
                -- Joined, not `IN (SELECT … FROM ours)` in the sum: PostgreSQL hashes such a
                -- list only while it fits in work_mem, and past it scanned every share of
                -- ours once per activity (10 million page views: over 8 minutes; joined, 3 s).
                LEFT JOIN ours AS o ON o.activity_key = a.activity_key
                GROUP BY a.period, a.group_key
            )
            SELECT c.period, g.platform, g.name, c.activities, c.active_members, c.posts, c.comments, c.shares,
                   c.reactions, c.views, c.our_shares, COALESCE(r.responses, 0), COALESCE(m.mentions, 0)
            FROM counts AS c
            JOIN dim_group AS g ON g.group_key = c.group_key
            LEFT JOIN responses AS r ON r.period = c.period AND r.group_key = c.group_key
            LEFT JOIN mentions AS m ON m.period = c.period AND m.group_key = c.group_key
            ORDER BY c.period, c.activities DESC, g.platform, g.name
            """
    }
}
