import GRDB

/// The sessions and visits stored for the visitors a night's pass re-cuts, so that only
/// what changed is written: a returning visitor's earlier sessions come out of the cutter
/// as they were, and deleting and inserting each of them again rewrote pages all over
/// fact_session, fact_visit and their start summaries (3,359 of the 10,968 pages a night
/// changed at 2 million page views of history, each written to the WAL and again at the
/// checkpoint: scripts/pages-changed on a bench history before and after a night).
///
/// The stored rows are copied first into temporary tables, in the order the cutter hands
/// sessions (visitor, property, number) and the merger visits (visitor, start), and read
/// back beside the new ones as a merge: a row equal in every column is kept; any other
/// stored row is removed (its key listed, its count taken out of the summary) and the
/// new one written. The copies are taken before anything is written, so the writes
/// cannot disturb the reading.
final class StoredSessions {
    private let sessions: StoredRows
    private let visits: StoredRows

    /// The stored rows of the pending visitors' windows.
    init(connection: OpaquePointer, window: SessionWindows) throws {
        sessions = try StoredRows(connection: connection, table: "fact_session", rowKey: "session_key", window: window,
                                  key: ["person_key", "property_key", "session_number"],
                                  values: ["date_key", "started_at", "ended_at", "page_count", "referrer_key", "landing_content_key"])
        visits = try StoredRows(connection: connection, table: "fact_visit", rowKey: "visit_key", window: window,
                                key: ["person_key", "started_at"],
                                values: ["date_key", "ended_at", "page_count", "referrer_key", "landing_content_key", "goal_mask"])
    }

    /// Whether `session` is stored as it is (then it is not written again). Stored
    /// sessions before it that the cutter did not give again are removed.
    func keeps(_ session: CutSession, tally: SessionTally) throws -> Bool {
        try sessions.keeps(key: [session.person, session.property, session.number],
                           values: [session.dateKey, session.startedAt, session.endedAt, session.pages, session.referrer,
                                    session.landing]) { try Self.takeOut($0, from: tally) }
    }

    /// Whether `visit` is stored as it is; as `keeps(_:tally:)` for sessions.
    func keeps(_ visit: VisitMerger.Visit, tally: VisitTally) throws -> Bool {
        try visits.keeps(key: [visit.person, visit.startedAt],
                         values: [visit.dateKey, visit.endedAt, visit.pages, visit.referrer, visit.landing, visit.goals]) {
            try Self.takeOut($0, from: tally)
        }
    }

    /// Removes the stored rows no new one matched and deletes every removed row. Call
    /// after the last session and visit.
    func finish(sessionTally: SessionTally, visitTally: VisitTally) throws {
        try sessions.removeRest { try Self.takeOut($0, from: sessionTally) }
        try visits.removeRest { try Self.takeOut($0, from: visitTally) }
        // Both reads are done: a table can be dropped only while no statement reads.
        try sessions.deleteRemoved()
        try visits.deleteRemoved()
    }

    /// A removed session's count out of agg_session_start (`row`: StoredRows' columns).
    private static func takeOut(_ row: SQLiteStatement, from tally: SessionTally) throws {
        try tally.add(date: row.int64(3), property: row.int64(1), referrer: row.int64(7), pages: row.int64(6), count: -1)
    }

    /// A removed visit's count out of agg_visit_start.
    private static func takeOut(_ row: SQLiteStatement, from tally: VisitTally) throws {
        try tally.add(VisitMerger.Visit(person: row.int64(0), dateKey: row.int64(2), startedAt: row.int64(1),
                                        endedAt: row.int64(3), pages: row.int64(4), referrer: row.int64(5),
                                        landing: row.int64(6), goals: row.int64(7)), count: -1)
    }
}

/// One table's stored rows of the pending visitors, copied in the new rows' order (`key`
/// columns, then the compared `values`, then the row's own key) and merged with them.
private final class StoredRows {
    private let connection: OpaquePointer
    private let table: String
    private let rowKey: String
    private let keyCount: Int
    private let valueCount: Int
    private let rows: SQLiteStatement
    private let remove: SQLiteStatement
    private var ahead: Bool

    init(connection: OpaquePointer, table: String, rowKey: String, window: SessionWindows, key: [String], values: [String]) throws {
        (self.connection, self.table, self.rowKey, keyCount, valueCount) = (connection, table, rowKey, key.count, values.count)
        for sql in [
            """
            CREATE TEMP TABLE stored_\(table) AS
            SELECT \((key + values + [rowKey]).joined(separator: ", "))
            FROM \(table) AS t WHERE \(window.rows(of: "t"))
            ORDER BY \(key.joined(separator: ", ")), \(rowKey)
            """,
            "CREATE TEMP TABLE removed_\(table) (\(rowKey) INTEGER PRIMARY KEY)",
        ] { _ = try SQLiteStatement(connection: connection, sql: sql).execute() }
        rows = try SQLiteStatement(connection: connection, sql: "SELECT * FROM temp.stored_\(table) ORDER BY rowid")
        remove = try SQLiteStatement(connection: connection, sql: "INSERT INTO temp.removed_\(table) VALUES (?)")
        ahead = try rows.step()
    }

    /// Whether the new row (`key`, `values`) is stored as it is. Stored rows before it
    /// are removed, each handed to `takenOut` first (its summary's share).
    func keeps(key: [Int64], values: [Int64], takenOut: (SQLiteStatement) throws -> Void) throws -> Bool {
        while ahead {
            let stored = (0..<keyCount).map { rows.int64(Int32($0)) }
            if key.lexicographicallyPrecedes(stored) { return false }
            let same = stored == key && values.indices.allSatisfy { rows.int64(Int32(keyCount + $0)) == values[$0] }
            if !same { try removeCurrent(takenOut) }
            ahead = try rows.step()
            if stored == key { return same }
        }
        return false
    }

    /// Removes the rows no new one matched, and ends the reading.
    func removeRest(takenOut: (SQLiteStatement) throws -> Void) throws {
        while ahead {
            try removeCurrent(takenOut)
            ahead = try rows.step()
        }
        rows.reset()
    }

    /// Deletes every removed row from the table, and drops the copies.
    func deleteRemoved() throws {
        for sql in [
            "DELETE FROM \(table) WHERE \(rowKey) IN (SELECT \(rowKey) FROM temp.removed_\(table))",
            "DROP TABLE temp.stored_\(table)", "DROP TABLE temp.removed_\(table)",
        ] { _ = try SQLiteStatement(connection: connection, sql: sql).execute() }
    }

    private func removeCurrent(_ takenOut: (SQLiteStatement) throws -> Void) throws {
        try takenOut(rows)
        remove.bind(1, rows.int64(Int32(keyCount + valueCount)))
        _ = try remove.execute()
    }
}
