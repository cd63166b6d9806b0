import GRDB

/// The sessions and visits stored for the visitors a night's pass re-cuts, so that only
/// what changed is written: a returning visitor's earlier sessions come out of the cutter
/// as they were, and deleting and inserting each of them again rewrote pages all over
/// fact_session, fact_visit and their start summaries (3,359 of the 10,968 pages a night
/// changed at 2 million page views of history, each written to the WAL and again at the
/// checkpoint: scripts/bench-nightly, pages compared before and after).
///
/// The stored rows are copied first into temporary tables, in the order the cutter hands
/// sessions (visitor, property, number) and the merger visits (visitor, start), and read
/// back beside the new ones as a merge: a row equal in every column is kept; any other
/// stored row is removed (its key listed, its count taken out of the summary) and the
/// new one written. The copies are taken before anything is written, so the writes
/// cannot disturb the reading.
final class StoredSessions {
    private let connection: OpaquePointer
    private let sessions: SQLiteStatement
    private let visits: SQLiteStatement
    private let removeSession: SQLiteStatement
    private let removeVisit: SQLiteStatement
    private var sessionAhead: Bool
    private var visitAhead: Bool

    init(connection: OpaquePointer) throws {
        self.connection = connection
        for sql in [
            """
            CREATE TEMP TABLE stored_session AS
            SELECT person_key, property_key, session_number, date_key, started_at, ended_at, page_count, referrer_key,
                   landing_content_key, session_key
            FROM fact_session WHERE person_key IN (SELECT person_key FROM pending_sessions)
            ORDER BY person_key, property_key, session_number
            """,
            """
            CREATE TEMP TABLE stored_visit AS
            SELECT person_key, started_at, date_key, ended_at, page_count, referrer_key, landing_content_key, goal_mask,
                   visit_key
            FROM fact_visit WHERE person_key IN (SELECT person_key FROM pending_sessions)
            ORDER BY person_key, started_at, visit_key
            """,
            "CREATE TEMP TABLE removed_session (session_key INTEGER PRIMARY KEY)",
            "CREATE TEMP TABLE removed_visit (visit_key INTEGER PRIMARY KEY)",
        ] { _ = try SQLiteStatement(connection: connection, sql: sql).execute() }
        sessions = try SQLiteStatement(connection: connection, sql: "SELECT * FROM temp.stored_session ORDER BY rowid")
        visits = try SQLiteStatement(connection: connection, sql: "SELECT * FROM temp.stored_visit ORDER BY rowid")
        removeSession = try SQLiteStatement(connection: connection, sql: "INSERT INTO temp.removed_session VALUES (?)")
        removeVisit = try SQLiteStatement(connection: connection, sql: "INSERT INTO temp.removed_visit VALUES (?)")
        sessionAhead = try sessions.step()
        visitAhead = try visits.step()
    }

    /// Whether `session` is stored as it is (then it is not written again). Stored
    /// sessions before it that the cutter did not give again are removed.
    func keeps(_ session: CutSession, tally: SessionTally) throws -> Bool {
        let key = (session.person, session.property, session.number)
        while sessionAhead {
            let stored = (sessions.int64(0), sessions.int64(1), sessions.int64(2))
            if stored > key { return false }
            let same = stored == key
                && (sessions.int64(3), sessions.int64(4), sessions.int64(5), sessions.int64(6), sessions.int64(7), sessions.int64(8))
                == (session.dateKey, session.startedAt, session.endedAt, session.pages, session.referrer, session.landing)
            if !same { try removeCurrentSession(tally) }
            sessionAhead = try sessions.step()
            if stored == key { return same }
        }
        return false
    }

    /// Whether `visit` is stored as it is; as `keeps(_:tally:)` for sessions.
    func keeps(_ visit: VisitMerger.Visit, tally: VisitTally) throws -> Bool {
        let key = (visit.person, visit.startedAt)
        while visitAhead {
            let stored = (visits.int64(0), visits.int64(1))
            if stored > key { return false }
            let same = stored == key
                && (visits.int64(2), visits.int64(3), visits.int64(4), visits.int64(5), visits.int64(6), visits.int64(7))
                == (visit.dateKey, visit.endedAt, visit.pages, visit.referrer, visit.landing, visit.goals)
            if !same { try removeCurrentVisit(tally) }
            visitAhead = try visits.step()
            if stored == key { return same }
        }
        return false
    }

    /// Removes the stored rows no new one matched, then deletes every removed row, and
    /// drops the copies. Call after the last session and visit.
    func finish(sessionTally: SessionTally, visitTally: VisitTally) throws {
        while sessionAhead {
            try removeCurrentSession(sessionTally)
            sessionAhead = try sessions.step()
        }
        while visitAhead {
            try removeCurrentVisit(visitTally)
            visitAhead = try visits.step()
        }
        sessions.reset()
        visits.reset()
        for sql in [
            "DELETE FROM fact_session WHERE session_key IN (SELECT session_key FROM temp.removed_session)",
            "DELETE FROM fact_visit WHERE visit_key IN (SELECT visit_key FROM temp.removed_visit)",
            "DROP TABLE temp.stored_session", "DROP TABLE temp.stored_visit",
            "DROP TABLE temp.removed_session", "DROP TABLE temp.removed_visit",
        ] { _ = try SQLiteStatement(connection: connection, sql: sql).execute() }
    }

    private func removeCurrentSession(_ tally: SessionTally) throws {
        try tally.add(date: sessions.int64(3), property: sessions.int64(1), referrer: sessions.int64(7),
                      pages: sessions.int64(6), count: -1)
        removeSession.bind(1, sessions.int64(9))
        _ = try removeSession.execute()
    }

    private func removeCurrentVisit(_ tally: VisitTally) throws {
        try tally.add(VisitMerger.Visit(person: visits.int64(0), dateKey: visits.int64(2), startedAt: visits.int64(1),
                                        endedAt: visits.int64(3), pages: visits.int64(4), referrer: visits.int64(5),
                                        landing: visits.int64(6), goals: visits.int64(7)), count: -1)
        removeVisit.bind(1, visits.int64(8))
        _ = try removeVisit.execute()
    }
}
