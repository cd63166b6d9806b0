import FootprintNormalize
import GRDB

/// The rows of the last report run, kept per report and period, so that the next run
/// recomputes only the periods new data can have changed (issue #18): a nightly load
/// touches the last period or two, not fifteen months of history.
///
/// What makes a period stale, from the earliest day on (every later period is
/// recomputed too, since subscriptions and threads reach forward):
/// - rows inserted since the last run (found by key: facts are keyed in insertion
///   order), with the day before each page view's (a late view can join a visit that
///   started the day before) and, for a group activity, the days of what it answers and
///   of its thread's root (an answer counts for the comment it answers; a topic's
///   threads reach back to their root);
/// - rows changed in place: a subscription's end filled in, derived columns of group
///   activities rewritten (`markReportsStale`);
/// - rows removed by `ingest --reload` (everything) and `forget` (the whole cache goes,
///   with whatever names it held).
/// A change of config, period, range or report code changes the settings the rows were
/// computed with, and the cache starts again.
public struct ReportCacheState: Sendable {
    /// The date key from which cached periods are stale; `Int.max` when none is.
    public var staleFrom: Int
    /// report file name → [(period label, its rows as CSV lines)], in period order.
    public var rows: [String: [(period: String, body: String)]]
}

extension Warehouse {
    static let nothingStale = 99_999_999
    /// The insert-only fact tables and their keys, in insertion order.
    static let watchedFacts = [("fact_page_view", "page_view_key"), ("fact_click", "click_key"),
                               ("fact_group_activity", "activity_key"), ("fact_subscription", "subscription_key"),
                               ("fact_outcome", "outcome_key"), ("fact_filtered_traffic", "rowid")]

    /// The cached rows and how much of them is stale, or nil when nothing is cached for
    /// these settings (then every period is computed).
    public func reportCache(settings: String) throws -> ReportCacheState? {
        try queue.read { db in
            guard let state = try Row.fetchOne(db, sql: "SELECT * FROM report_cache_state WHERE settings = ?", arguments: [settings])
            else { return nil }
            var staleFrom: Int = state["stale_from"]
            for (table, key) in Self.watchedFacts {
                let last: Int64 = state["last_" + table]
                if let day = try Int.fetchOne(db, sql: "SELECT MIN(date_key) FROM \(table) WHERE \(key) > ?", arguments: [last]) {
                    // A page view can join a visit begun the day before.
                    staleFrom = min(staleFrom, table == "fact_page_view" ? CivilDate(key: day).map { CivilDate(daysSinceEpoch: $0.daysSinceEpoch - 1).key } ?? 0 : day)
                }
            }
            let lastActivity: Int64 = state["last_fact_group_activity"]
            if let day = try Int.fetchOne(db, sql: """
                SELECT MIN(x.date_key) FROM (
                    SELECT p.date_key FROM fact_group_activity AS a JOIN fact_group_activity AS p ON p.activity_key = a.parent_activity_key
                    WHERE a.activity_key > :last
                    UNION ALL
                    SELECT r.date_key FROM fact_group_activity AS a JOIN fact_group_activity AS r ON r.activity_key = a.thread_root_key
                    WHERE a.activity_key > :last) AS x
                """, arguments: ["last": lastActivity]) {
                staleFrom = min(staleFrom, day)
            }
            var rows: [String: [(period: String, body: String)]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT report, period, body FROM report_cache ORDER BY report, period") {
                rows[row["report"], default: []].append((row["period"], row["body"]))
            }
            return ReportCacheState(staleFrom: staleFrom, rows: rows)
        }
    }

    /// The keys the next `reportCache` compares with: read before the reports run.
    public func lastFactKeys() throws -> [Int64] {
        try queue.read { db in
            try Self.watchedFacts.map { table, key in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(\(key)), 0) FROM \(table)") ?? 0 }
        }
    }

    /// Replaces the cached rows of `reports` from `firstPeriod` on (all of them when nil)
    /// and records the settings and the fact keys they were computed from.
    public func storeReportCache(settings: String, firstPeriod: String?, keys: [Int64],
                                 rows: [String: [(period: String, body: String)]]) throws {
        try queue.write { db in
            // Rows of other settings (a config or scope no longer in use) go whole.
            let sameSettings = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM report_cache_state WHERE settings = ?)",
                                                 arguments: [settings]) == true
            if let firstPeriod, sameSettings {
                try db.execute(sql: "DELETE FROM report_cache WHERE period >= ?", arguments: [firstPeriod])
            } else {
                try db.execute(sql: "DELETE FROM report_cache")
            }
            let insert = try db.makeStatement(sql: "INSERT INTO report_cache (report, period, body) VALUES (?, ?, ?)")
            for (report, periods) in rows {
                for (period, body) in periods { try insert.execute(arguments: [report, period, body]) }
            }
            let columns = Self.watchedFacts.map { "last_" + $0.0 }
            try db.execute(sql: "DELETE FROM report_cache_state")
            try db.execute(sql: """
                INSERT INTO report_cache_state (settings, stale_from, \(columns.joined(separator: ", ")))
                VALUES (?, ?, \(columns.map { _ in "?" }.joined(separator: ", ")))
                """, arguments: StatementArguments([settings as DatabaseValueConvertible, Self.nothingStale] + keys.map { $0 as DatabaseValueConvertible }))
        }
    }

    /// Marks cached periods from `dateKey` on stale (0: all of them). Runs inside the
    /// writer's transaction, so a rolled-back load marks nothing.
    static func markReportsStale(_ db: Database, from dateKey: Int) throws {
        try db.execute(sql: "UPDATE report_cache_state SET stale_from = ? WHERE stale_from > ?", arguments: [dateKey, dateKey])
    }

    /// Drops every cached row (forget: they may name the person).
    static func dropReportCache(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM report_cache")
        try db.execute(sql: "DELETE FROM report_cache_state")
    }
}
