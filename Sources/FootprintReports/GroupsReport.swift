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
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        try ReportQuery.table(db, name: "groups", columns: [
            ("period", .text), ("platform", .text), ("group", .text), ("activities", .integer), ("active_members", .integer),
            ("posts", .integer), ("comments", .integer), ("shares", .integer), ("reactions", .integer), ("views", .integer),
            ("our_shares", .integer), ("responses_to_our_shares", .integer), ("self_mentions", .integer),
        ], sql: sql(scope), arguments: scope.range, into: sink)
    }

    /// Whether the group activity `f` is one of ours: written or shared (not a view, a
    /// reaction or a join), carrying a URL on our properties or the self brand's domains
    /// (`owned`: whether its content is one of `owned_content`, by a join or `owns`), or
    /// coming from one of the self brand's accounts.
    static func isOurs(_ f: String, owned: String) -> String {
        """
        (\(owned) OR \(f).person_key IN (\(GroupRoles.selfAccounts)))
        AND \(GroupRoles.role(f)) NOT IN ('view', 'reaction', 'join')
        """
    }

    /// Whether the content `key` is on our properties or the self brand's domains, by
    /// look-ups in small tables: for a scalar subquery, where a list of our pages would
    /// be a subplan that PostgreSQL hashes only while it fits in work_mem and otherwise
    /// scans once per row (an `IN` list of our shares in this report: over 8 minutes at
    /// 10 million page views).
    static func owns(_ key: String) -> String {
        """
        EXISTS (SELECT 1 FROM dim_content AS c WHERE c.content_key = \(key) AND \(ownedHost("c")))
        """
    }

    /// Whether dim_content `c`'s host is one of ours or the self brand's (or below one).
    static func ownedHost(_ c: String) -> String {
        """
        (\(c).host IN (SELECT host FROM dim_owned_host)
         OR EXISTS (SELECT 1 FROM dim_brand_domain AS bd JOIN dim_brand AS b ON b.brand_key = bd.brand_key
                    WHERE b.is_self = 1
                      AND (\(c).host = bd.domain
                           OR (LENGTH(\(c).host) > LENGTH(bd.domain)
                               AND SUBSTR(\(c).host, LENGTH(\(c).host) - LENGTH(bd.domain)) = '.' || bd.domain))))
        """
    }

    /// The report's SQL (`:first`, `:last`: the scope's days).
    static func sql(_ scope: ReportScope) -> String {
        let p = scope.period.labelColumn
        return """
            WITH RECURSIVE owned_content AS (
                SELECT c.content_key FROM dim_content AS c WHERE \(ownedHost("c"))
            ), acts AS (
                -- With whether each is ours and whether its thread's root is: joined,
                -- so that a night looks its few thousand roots up by key and a full
                -- report hashes them.
                SELECT d.\(p) AS period, f.activity_key, f.group_key, f.person_key, f.activity_count,
                       f.parent_activity_key, f.thread_root_key, \(GroupRoles.role()) AS role,
                       CASE WHEN \(isOurs("f", owned: "fo.content_key IS NOT NULL")) THEN 1 ELSE 0 END AS ours,
                       CASE WHEN r.activity_key IS NULL THEN NULL
                            WHEN \(isOurs("r", owned: "ro.content_key IS NOT NULL")) THEN 1 ELSE 0 END AS root_ours
                FROM fact_group_activity AS f
                JOIN dim_date AS d ON d.date_key = f.date_key
                LEFT JOIN owned_content AS fo ON fo.content_key = f.content_key
                LEFT JOIN fact_group_activity AS r ON r.activity_key = f.thread_root_key
                LEFT JOIN owned_content AS ro ON ro.content_key = r.content_key
                WHERE f.date_key BETWEEN :first AND :last
            ), up (activity_key, ancestor_key) AS (
                -- The scope's activities in threads not rooted in ours (or whose root is
                -- unknown: a reply cycle), each with every activity above it, walked up
                -- reply by reply (UNION stops at a cycle; the top of each walk is a row
                -- without ancestor). A night looks at its month's activities and their
                -- ancestors, not at every share of ours in the history and all that is
                -- below them. Parents are looked up one by one in scalar subqueries:
                -- PostgreSQL, unable to size a recursive CTE, otherwise hashed every
                -- activity for a few thousand look-ups.
                SELECT activity_key, parent_activity_key FROM acts
                WHERE parent_activity_key IS NOT NULL AND COALESCE(root_ours, 0) = 0
                UNION
                SELECT up.activity_key, (SELECT p.parent_activity_key FROM fact_group_activity AS p WHERE p.activity_key = up.ancestor_key)
                FROM up WHERE up.ancestor_key IS NOT NULL
            ), below (activity_key) AS (
                -- Responses to our shares: the rest of a thread we started (the loader
                -- keeps each activity's root), and activities with one of ours above them.
                SELECT activity_key FROM acts WHERE root_ours = 1 AND activity_key <> thread_root_key
                UNION
                SELECT up.activity_key
                FROM up
                WHERE (SELECT CASE WHEN \(isOurs("o", owned: owns("o.content_key"))) THEN 1 ELSE 0 END
                       FROM fact_group_activity AS o WHERE o.activity_key = up.ancestor_key) = 1
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
                       SUM(a.ours) AS our_shares
                FROM acts AS a
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
