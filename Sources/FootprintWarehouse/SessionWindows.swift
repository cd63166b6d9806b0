import GRDB

/// The days a night's pass re-cuts, per visitor: from the earliest day a load touched on,
/// reaching back only as far as a session can join across (SQLite).
///
/// Why: the pass used to read each returning visitor's whole history, found through
/// indexes by visitor. Person keys are hashes, so those indexes were written all over by
/// every night; a night's ingest cost twice as much on 2 million page views of history as
/// on 500,000 (scripts/bench-nightly). Indexed by day (migration v19), a night's rows are
/// appended, and a visitor's page views, sessions and visits are read from a window of
/// days instead.
///
/// Exactness: a visitor's window starts on day W only if nothing before W can be joined by
/// a page view on W or later. A page view continues a session whose last view is at most
/// `reach` before it: the session timeout, or `SessionCutter.referenceReach` for a view
/// carrying the session's id; a visit joins sessions within the timeout. So W is moved a
/// day back while the visitor's last view on the two days before W lies within `reach` of
/// their first view from W on (`reach` is at most a day and days are at least 23 hours
/// long: nothing older is within reach). Everything from W on is cut again and compared with
/// the stored sessions and visits from W on (StoredSessions); sessions before W keep their
/// numbers, and `agg_visitor_property` says how many there are.
///
/// A load that removed page views (`ingest --reload`) may have shortened a session that
/// started before its days: its visitors are cut from their first day
/// (`Sessionizer.fromStartMark`).
struct SessionWindows {
    /// The earliest window start: the view and stored-row conditions name it, so that
    /// SQLite reads one range of the indexes by day.
    let earliest: Int64

    /// Fills temp.session_window with every pending visitor's first day.
    init(_ db: Database, reach: Int64) throws {
        try db.execute(sql: "CREATE TEMP TABLE session_window (person_key INTEGER PRIMARY KEY, start_day INTEGER NOT NULL)")
        let fromStart = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Sessionizer.fromStartMark]) != nil
        let first = fromStart ? 0 : try Int64.fetchOne(db, sql: "SELECT MIN(date_key) FROM pending_days") ?? 0
        try db.execute(sql: "INSERT INTO temp.session_window SELECT person_key, ? FROM pending_sessions", arguments: [first])
        // One day further back for the visitors still within reach, until none is.
        let moved = try db.makeStatement(sql: """
            UPDATE temp.session_window SET start_day = :previous
            WHERE start_day = :day AND person_key IN (
                SELECT late.person_key
                FROM (SELECT person_key, MIN(viewed_at) AS first_view FROM fact_page_view
                      WHERE date_key >= :day AND person_key IN (SELECT person_key FROM temp.session_window WHERE start_day = :day)
                      GROUP BY person_key) AS late
                JOIN (SELECT person_key, MAX(viewed_at) AS last_view FROM fact_page_view
                      WHERE date_key IN (:previous, :earlier)
                        AND person_key IN (SELECT person_key FROM temp.session_window WHERE start_day = :day)
                      GROUP BY person_key) AS early ON early.person_key = late.person_key
                WHERE late.first_view - early.last_view <= :reach)
            """)
        var day = first
        while day > 0, let previous = try Self.day(before: day, db) {
            let earlier = try Self.day(before: previous, db) ?? previous
            try moved.execute(arguments: ["day": day, "previous": previous, "earlier": earlier, "reach": reach])
            if db.changesCount == 0 { break }
            day = previous
        }
        earliest = try Int64.fetchOne(db, sql: "SELECT MIN(start_day) FROM temp.session_window") ?? first
    }

    private static func day(before day: Int64, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MAX(date_key) FROM dim_date WHERE date_key < ?", arguments: [day])
    }

    /// The rows of `table` (with `date_key` and `person_key`, aliased `alias`) in their
    /// visitor's window: one range of the table's index by day.
    func rows(of alias: String) -> String {
        """
        \(alias).date_key >= \(earliest) AND \(alias).person_key IN (SELECT person_key FROM temp.session_window)
        AND \(alias).date_key >= (SELECT w.start_day FROM temp.session_window AS w WHERE w.person_key = \(alias).person_key)
        """
    }

    func finish(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE temp.session_window")
    }
}
