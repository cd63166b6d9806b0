import FootprintOutput
import GRDB

/// vips.csv — "RSS + comments = VIP": per period and list, the subscribers (subscribed
/// at any time in the period), the actors who commented in the period (the same for
/// every list), the VIPs (subscribers with at least `min_comments` comments in the
/// period), their comments, how many of those got a reply from a self brand account
/// (whenever it came), and the VIPs gained and lost against the previous period.
/// A subscriber is matched to an actor by the keyed hash of the same id (an e-mail
/// address is trimmed and lower-cased first). A row per period and list with
/// subscribers; periods are those of the scope that hold any data.
enum VIPsReport {
    static func table(_ db: Database, scope: ReportScope) throws -> CSVTable {
        let p = scope.period.labelColumn
        let k = scope.period.keyColumn
        let previous = scope.period.previousLabelColumn
        return try ReportQuery.table(db, name: "vips", columns: [
            ("period", .text), ("list", .text), ("subscribers", .integer), ("commenters", .integer), ("vips", .integer),
            ("vip_comments", .integer), ("vip_comments_answered", .integer), ("new_vips", .integer), ("lapsed_vips", .integer),
        ], sql: """
            WITH periods AS (
                -- Every period with data, not only the scope's: new and lapsed VIPs
                -- compare with the period before the first one shown.
                SELECT DISTINCT \(p) AS period, \(k) AS period_key, \(previous) AS previous FROM dim_date
            ), subscriptions AS (
                SELECT s.list, s.person_key, ds.\(k) AS from_key, du.\(k) AS to_key
                FROM fact_subscription AS s
                JOIN dim_date AS ds ON ds.date_key = s.date_key
                LEFT JOIN dim_date AS du ON du.date_key = s.unsubscribed_date_key
            ), subscribed AS (
                SELECT DISTINCT pe.period, s.list, s.person_key
                FROM periods AS pe
                JOIN subscriptions AS s ON s.from_key <= pe.period_key AND (s.to_key IS NULL OR s.to_key >= pe.period_key)
            ), comments AS (
                SELECT d.\(p) AS period, f.activity_key, f.person_key
                FROM fact_group_activity AS f
                JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE \(GroupRoles.role()) = 'comment'
            ), per_commenter AS (
                SELECT c.period, c.person_key, COUNT(*) AS comments,
                       SUM(CASE WHEN EXISTS (SELECT 1 FROM fact_group_activity AS r
                                             WHERE r.parent_activity_key = c.activity_key
                                               AND r.person_key IN (\(GroupRoles.selfAccounts)))
                                THEN 1 ELSE 0 END) AS answered
                FROM comments AS c
                GROUP BY c.period, c.person_key
            ), commenters AS (
                SELECT period, COUNT(*) AS commenters FROM per_commenter GROUP BY period
            ), vips AS (
                SELECT s.period, s.list, s.person_key, pc.comments, pc.answered
                FROM subscribed AS s
                JOIN per_commenter AS pc ON pc.period = s.period AND pc.person_key = s.person_key
                WHERE pc.comments >= :minComments
            ), lists AS (
                SELECT s.period, s.list, COUNT(*) AS subscribers
                FROM subscribed AS s
                GROUP BY s.period, s.list
            )
            SELECT l.period, l.list, l.subscribers, COALESCE(c.commenters, 0),
                   (SELECT COUNT(*) FROM vips AS v WHERE v.period = l.period AND v.list = l.list),
                   (SELECT COALESCE(SUM(v.comments), 0) FROM vips AS v WHERE v.period = l.period AND v.list = l.list),
                   (SELECT COALESCE(SUM(v.answered), 0) FROM vips AS v WHERE v.period = l.period AND v.list = l.list),
                   (SELECT COUNT(*) FROM vips AS v WHERE v.period = l.period AND v.list = l.list
                      AND NOT EXISTS (SELECT 1 FROM vips AS b WHERE b.period = pe.previous AND b.list = l.list
                                                                AND b.person_key = v.person_key)),
                   (SELECT COUNT(*) FROM vips AS b WHERE b.period = pe.previous AND b.list = l.list
                      AND NOT EXISTS (SELECT 1 FROM vips AS v WHERE v.period = l.period AND v.list = l.list
                                                                AND v.person_key = b.person_key))
            FROM lists AS l
            JOIN periods AS pe ON pe.period = l.period
            LEFT JOIN commenters AS c ON c.period = l.period
            WHERE pe.period IN (SELECT DISTINCT \(p) FROM dim_date WHERE date_key BETWEEN :first AND :last)
            ORDER BY l.period, l.list
            """, arguments: ["first": scope.firstDay, "last": scope.lastDay, "minComments": scope.vipMinComments])
    }
}
