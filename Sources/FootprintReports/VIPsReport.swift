import FootprintOutput
import FootprintWarehouse

/// vips.csv — "RSS + comments = VIP": per period and list, the subscribers (subscribed
/// at any time in the period), the actors who commented in the period (the same for
/// every list), the VIPs (subscribers with at least `min_comments` comments in the
/// period), their comments, how many of those got a reply from a self brand account
/// (whenever it came), and the VIPs gained and lost against the previous period.
/// A subscriber is matched to an actor by the keyed hash of the same id (an e-mail
/// address is trimmed and lower-cased first). A row per period and list with
/// subscribers; periods are those of the scope that hold any data.
enum VIPsReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        let p = scope.period.labelColumn
        let k = scope.period.keyColumn
        let previous = scope.period.previousLabelColumn
        try ReportQuery.table(db, name: "vips", columns: [
            ("period", .text), ("list", .text), ("subscribers", .integer), ("commenters", .integer), ("vips", .integer),
            ("vip_comments", .integer), ("vip_comments_answered", .integer), ("new_vips", .integer), ("lapsed_vips", .integer),
        ], sql: """
            WITH periods AS (
                -- Every period with data, not only the scope's: new and lapsed VIPs
                -- compare with the period before the first one shown. By integer key
                -- until the end: the joins below compare keys, not labels.
                SELECT DISTINCT \(k) AS period, \(p) AS label, \(previous) AS previous_label FROM dim_date
            ), since AS (
                -- Comments from the period before the first one shown (new and lapsed
                -- VIPs compare with it) on: a nightly run recomputes a period or two.
                SELECT COALESCE((SELECT MIN(date_key) FROM dim_date
                                 WHERE \(k) = (SELECT MAX(\(k)) FROM dim_date
                                                WHERE \(k) < (SELECT MIN(\(k)) FROM dim_date WHERE date_key >= :first))),
                                :first) AS day
            ), comments AS (
                SELECT d.\(k) AS period, f.person_key, f.activity_key
                FROM fact_group_activity AS f
                JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key >= (SELECT day FROM since) AND \(GroupRoles.role()) = 'comment'
            ), answered AS (
                -- Those of them a self brand account answered, through the index of
                -- parents: a night's comments, not every answer ever given.
                SELECT DISTINCT r.parent_activity_key AS activity_key
                FROM fact_group_activity AS r
                WHERE r.parent_activity_key IN (SELECT activity_key FROM comments)
                  AND r.person_key IN (\(GroupRoles.selfAccounts))
            ), per_commenter AS (
                SELECT c.period, c.person_key, COUNT(*) AS comments, COUNT(an.activity_key) AS answered
                FROM comments AS c
                LEFT JOIN answered AS an ON an.activity_key = c.activity_key
                GROUP BY c.period, c.person_key
            ), commenters AS (
                SELECT period, COUNT(*) AS commenters FROM per_commenter GROUP BY period
            ), frequent AS (
                SELECT period, person_key, comments, answered FROM per_commenter WHERE comments >= :minComments
            ), vips AS MATERIALIZED (
                -- From the few frequent commenters to their subscriptions, not from every
                -- subscriber and period. Materialized: three parts below read it. Their
                -- subscriptions are looked up by list and person (the lists are those of
                -- the subscriber summary): joined by person alone, SQLite scanned every
                -- subscription ever made.
                SELECT DISTINCT pc.period, s.list, pc.person_key, pc.comments, pc.answered
                FROM frequent AS pc
                JOIN fact_subscription AS s ON s.person_key = pc.person_key
                    AND (s.list, s.person_key) IN (
                        SELECT l.list, f.person_key
                        FROM (SELECT DISTINCT list FROM agg_subscriber_day
                              UNION SELECT list FROM agg_subscriber_span WHERE subscriptions > 1) AS l
                        CROSS JOIN frequent AS f)
                JOIN dim_date AS ds ON ds.date_key = s.date_key
                LEFT JOIN dim_date AS du ON du.date_key = s.unsubscribed_date_key
                WHERE ds.\(k) <= pc.period AND (du.\(k) IS NULL OR du.\(k) >= pc.period)
            ), vips_with_previous AS (
                -- Each VIP with the key of the period before theirs (labels name it).
                SELECT v.*, before.period AS previous
                FROM vips AS v
                JOIN periods AS pe ON pe.period = v.period
                LEFT JOIN periods AS before ON before.label = pe.previous_label
            ), vip_counts AS (
                SELECT v.period, v.list, COUNT(*) AS vips, SUM(v.comments) AS vip_comments, SUM(v.answered) AS answered,
                       SUM(CASE WHEN b.person_key IS NULL THEN 1 ELSE 0 END) AS new_vips
                FROM vips_with_previous AS v
                LEFT JOIN vips AS b ON b.period = v.previous AND b.list = v.list AND b.person_key = v.person_key
                GROUP BY v.period, v.list
            ), lapsed AS (
                -- VIPs of a period who are not VIPs of the next one, counted in the next.
                SELECT after.period, b.list, COUNT(*) AS lapsed
                FROM vips AS b
                JOIN periods AS pe ON pe.period = b.period
                JOIN periods AS after ON after.previous_label = pe.label
                LEFT JOIN vips AS v ON v.period = after.period AND v.list = b.list AND v.person_key = b.person_key
                WHERE v.person_key IS NULL
                GROUP BY after.period, b.list
            ), shown AS (
                -- The periods shown: a night's run counts subscribers for a period or two.
                SELECT DISTINCT \(k) AS period FROM dim_date WHERE date_key BETWEEN :first AND :last
            ), changes AS (
                -- Subscribers per period without a row per subscriber and period, nor
                -- one per subscription ever made: most people hold one subscription to
                -- a list, and those are counted from how many started by the period
                -- less how many ended before it, which the loader keeps per list and day
                -- (agg_subscriber_day). The few with more (one may hold two at once)
                -- are counted distinct from their subscriptions.
                SELECT pe.period, st.list, st.n
                FROM (SELECT a.list, d.\(k) AS from_key, SUM(a.started) AS n
                      FROM agg_subscriber_day AS a
                      JOIN dim_date AS d ON d.date_key = a.date_key
                      GROUP BY a.list, d.\(k)) AS st
                JOIN shown AS pe ON pe.period >= st.from_key
                UNION ALL
                SELECT pe.period, en.list, -en.n
                FROM (SELECT a.list, d.\(k) AS to_key, SUM(a.ended) AS n
                      FROM agg_subscriber_day AS a
                      JOIN dim_date AS d ON d.date_key = a.date_key
                      GROUP BY a.list, d.\(k)) AS en
                JOIN shown AS pe ON pe.period > en.to_key
                UNION ALL
                SELECT pe.period, s.list, COUNT(DISTINCT s.person_key)
                FROM fact_subscription AS s
                JOIN dim_date AS ds ON ds.date_key = s.date_key
                LEFT JOIN dim_date AS du ON du.date_key = s.unsubscribed_date_key
                JOIN shown AS pe ON ds.\(k) <= pe.period AND (du.\(k) IS NULL OR du.\(k) >= pe.period)
                -- IN, not a join: SQLite, without statistics, scanned every subscription
                -- for a join; for IN it looks up the few pairs by index.
                WHERE (s.list, s.person_key) IN (SELECT list, person_key FROM agg_subscriber_span WHERE subscriptions > 1)
                GROUP BY pe.period, s.list
            ), lists AS (
                SELECT period, list, SUM(n) AS subscribers FROM changes GROUP BY period, list HAVING SUM(n) > 0
            )
            SELECT pe.label, l.list, l.subscribers, COALESCE(c.commenters, 0), COALESCE(vc.vips, 0),
                   COALESCE(vc.vip_comments, 0), COALESCE(vc.answered, 0), COALESCE(vc.new_vips, 0), COALESCE(la.lapsed, 0)
            FROM lists AS l
            JOIN periods AS pe ON pe.period = l.period
            LEFT JOIN commenters AS c ON c.period = l.period
            LEFT JOIN vip_counts AS vc ON vc.period = l.period AND vc.list = l.list
            LEFT JOIN lapsed AS la ON la.period = l.period AND la.list = l.list
            ORDER BY l.period, l.list
            """, arguments: scope.range.merging(["minComments": SQLValue(scope.vipMinComments)]) { $1 }, into: sink)
    }
}
