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
///
/// The cached rows stay in the database: a file is written from them a period at a
/// time (`forEachCachedPeriod`), not read whole into memory.
public struct ReportCacheState: Sendable {
    /// The date key from which cached periods are stale; `nothingStale` when none is.
    public var staleFrom: Int
}

extension WarehouseEngine {
    static var nothingStale: Int { 99_999_999 }

    /// The insert-only fact tables and their keys, in insertion order (filtered traffic
    /// has no key column: SQLite's rowid, PostgreSQL's identity column `traffic_key`).
    static func watchedFacts(_ db: SQLConnection) -> [(table: String, key: String)] {
        [("fact_page_view", "page_view_key"), ("fact_click", "click_key"), ("fact_group_activity", "activity_key"),
         ("fact_subscription", "subscription_key"), ("fact_outcome", "outcome_key"),
         ("fact_filtered_traffic", db.engine == .sqlite ? "rowid" : "traffic_key")]
    }

    /// The cached rows and how much of them is stale, or nil when nothing is cached for
    /// these settings (then every period is computed).
    public func reportCache(settings: String) throws -> ReportCacheState? {
        try reading { db in
            let columns = Self.watchedFacts(db).map { "last_" + $0.table }
            guard let state = try db.rows("SELECT stale_from, \(columns.joined(separator: ", ")) FROM report_cache_state WHERE settings = :settings",
                                          ["settings": .text(settings)]).first
            else { return nil }
            var staleFrom = Int(state[0].int64 ?? 0)
            for (index, (table, key)) in Self.watchedFacts(db).enumerated() {
                let last = state[index + 1]
                // `date_key + 0`: a bare MIN(date_key) PostgreSQL answered through an index
                // that starts with the day (fact_click_by_day), walking it from the first day
                // and filtering every click of the history by key (2 million page views of
                // history: 0.09 s a night); this way it reads the new rows by key.
                if let day = try db.value("SELECT MIN(date_key + 0) FROM \(table) WHERE \(key) > :last", ["last": last]).int64.map({ Int($0) }) {
                    // A page view can join a visit begun the day before.
                    staleFrom = min(staleFrom, table == "fact_page_view" ? CivilDate(key: day).map { CivilDate(daysSinceEpoch: $0.daysSinceEpoch - 1).key } ?? 0 : day)
                }
            }
            let lastActivity = state[3]
            if let day = try db.value("""
                SELECT MIN(x.date_key) FROM (
                    SELECT p.date_key FROM fact_group_activity AS a JOIN fact_group_activity AS p ON p.activity_key = a.parent_activity_key
                    WHERE a.activity_key > :last
                    UNION ALL
                    SELECT r.date_key FROM fact_group_activity AS a JOIN fact_group_activity AS r ON r.activity_key = a.thread_root_key
                    WHERE a.activity_key > :last) AS x
                """, ["last": lastActivity]).int64 {
                staleFrom = min(staleFrom, Int(day))
            }
            return ReportCacheState(staleFrom: staleFrom)
        }
    }

    /// The cached rows (CSV lines) of `report`, a period at a time in period order: those
    /// before `period`, or all of them when it is nil. The header is cached as the
    /// period "", before every label.
    public func forEachCachedPeriod(of report: String, before period: String?, _ body: (String) throws -> Void) throws {
        try reading { db in
            var arguments: [String: SQLValue] = ["report": .text(report)]
            if let period { arguments["before"] = .text(period) }
            try db.forEachRow("""
                SELECT body FROM report_cache WHERE report = :report\(period == nil ? "" : " AND period < :before") ORDER BY period
                """, arguments) { row in try body(row.text(0)) }
        }
    }

    /// The keys the next `reportCache` compares with: read before the reports run.
    public func lastFactKeys() throws -> [Int64] {
        try reading { db in
            try Self.watchedFacts(db).map { table, key in try db.value("SELECT COALESCE(MAX(\(key)), 0) FROM \(table)").int64 ?? 0 }
        }
    }

    /// Replaces the cached rows from `firstPeriod` on (all of them when nil) with those
    /// `rows` hands to its argument (report, period, body), one period at a time, and
    /// records the settings and the fact keys they were computed from.
    public func storeReportCache(settings: String, firstPeriod: String?, keys: [Int64],
                                 rows: ((_ report: String, _ period: String, _ body: String) throws -> Void) throws -> Void) throws {
        try writing { db in
            // Rows of other settings (a config or scope no longer in use) go whole.
            let sameSettings = try db.value("SELECT 1 FROM report_cache_state WHERE settings = :settings",
                                            ["settings": .text(settings)]) != .null
            if let firstPeriod, sameSettings {
                try db.execute("DELETE FROM report_cache WHERE period >= :first", ["first": .text(firstPeriod)])
            } else {
                try db.execute("DELETE FROM report_cache")
            }
            try rows { report, period, body in
                try db.insert(into: "report_cache", columns: ["report", "period", "body"],
                              rows: [[.text(report), .text(period), .text(body)]])
            }
            let columns = Self.watchedFacts(db).map { "last_" + $0.table }
            try db.execute("DELETE FROM report_cache_state")
            try db.insert(into: "report_cache_state", columns: ["settings", "stale_from"] + columns,
                          rows: [[.text(settings), SQLValue(Self.nothingStale)] + keys.map { .integer($0) }])
        }
    }
}

/// Marks cached periods from `dateKey` on stale (0: all of them). Runs inside the
/// writer's transaction, so a rolled-back load marks nothing.
func markReportsStale(_ db: SQLConnection, from dateKey: Int) throws {
    try db.execute("UPDATE report_cache_state SET stale_from = :day WHERE stale_from > :day", ["day": SQLValue(dateKey)])
}

/// The tables of propagation.csv's base (FootprintReports' PropagationBase), kept with
/// the report cache: its figures, and the state saying what they were made for.
public enum PropagationBaseTables {
    public static let figures = ["report_cache_propagation", "report_cache_propagation_referral",
                                 "report_cache_propagation_thread", "report_cache_propagation_share"]
    public static let state = "report_cache_propagation_state"
}

/// Drops every cached row (forget: they may name the person, and propagation's base
/// counts what was removed).
func dropReportCache(_ db: SQLConnection) throws {
    for table in ["report_cache", "report_cache_state"] + PropagationBaseTables.figures + [PropagationBaseTables.state] {
        try db.execute("DELETE FROM \(table)")
    }
}
