import GRDB

/// agg_visitor_property, how many sessions each visitor has on each property, kept by
/// the sessionizer so that a night's window numbers its sessions on from the ones before
/// it (SessionWindows). Both writers take sessions in the cutter's order, by visitor and
/// property with their numbers rising, and hold one pair at a time: memory does not grow
/// with the visitors a pass touches.

/// Everything cut again: each pair's last number, appended when the next pair comes.
final class SessionCounts {
    private let rows: MultiRowInsert
    private var current: (key: VisitorProperty, sessions: Int64)?

    init(connection: OpaquePointer) {
        rows = MultiRowInsert(connection: connection, table: "agg_visitor_property",
                              columns: ["person_key", "property_key", "sessions"])
    }

    func add(_ key: VisitorProperty, _ number: Int64) throws {
        if let current, current.key != key { try write(current) }
        current = (key, number)
    }

    func finish() throws {
        if let current { try write(current) }
        current = nil
        try rows.flush()
    }

    private func write(_ count: (key: VisitorProperty, sessions: Int64)) throws {
        rows.append(count.key.person); rows.append(count.key.property); rows.append(count.sessions)
        try rows.endRow()
    }
}

/// A night's window: the sessions before each visitor's window, per property (the stored
/// count less the stored sessions from the window on), copied in the cutter's order
/// before anything is written and merged with the cut sessions as they come. Each pair's
/// count is stored again after its last session: the sessions before the window plus
/// those cut in it, or removed when there are none (a reload took the page views away).
final class WindowSessionCounts {
    private let connection: OpaquePointer
    private let before: SQLiteStatement
    private var ahead: Bool
    private let upsert: SQLiteStatement
    private let remove: SQLiteStatement
    private var current: (key: VisitorProperty, before: Int64, last: Int64)?

    init(connection: OpaquePointer, window: SessionWindows) throws {
        self.connection = connection
        _ = try SQLiteStatement(connection: connection, sql: """
            CREATE TEMP TABLE sessions_before AS
            SELECT v.person_key, v.property_key, v.sessions - COALESCE(w.sessions, 0) AS sessions
            FROM agg_visitor_property AS v
            LEFT JOIN (SELECT person_key, property_key, COUNT(*) AS sessions FROM fact_session AS s
                       WHERE \(window.rows(of: "s")) GROUP BY person_key, property_key) AS w
              ON w.person_key = v.person_key AND w.property_key = v.property_key
            WHERE v.person_key IN (SELECT person_key FROM temp.session_window)
            ORDER BY v.person_key, v.property_key
            """).execute()
        before = try SQLiteStatement(connection: connection, sql: "SELECT person_key, property_key, sessions FROM temp.sessions_before ORDER BY rowid")
        upsert = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO agg_visitor_property (person_key, property_key, sessions) VALUES (?, ?, ?)
            ON CONFLICT (person_key, property_key) DO UPDATE SET sessions = excluded.sessions
            """)
        remove = try SQLiteStatement(connection: connection, sql: "DELETE FROM agg_visitor_property WHERE person_key = ? AND property_key = ?")
        ahead = try before.step()
    }

    /// The stored number of a session the window's cut numbered `number`.
    func number(_ key: VisitorProperty, _ number: Int64) throws -> Int64 {
        if current?.key != key {
            try closeCurrent()
            var sessionsBefore: Int64 = 0
            while ahead {
                let stored = VisitorProperty(person: before.int64(0), property: before.int64(1))
                if key < stored { break }
                if stored == key { sessionsBefore = before.int64(2) } else { try store(stored, before.int64(2)) }
                ahead = try before.step()
                if stored == key { break }
            }
            current = (key, sessionsBefore, 0)
        }
        let stored = number + (current?.before ?? 0)
        current?.last = stored
        return stored
    }

    /// Stores the last pair and the pairs with no session in the window any more, and
    /// ends the reading. Call after the last session.
    func finish() throws {
        try closeCurrent()
        while ahead {
            try store(VisitorProperty(person: before.int64(0), property: before.int64(1)), before.int64(2))
            ahead = try before.step()
        }
        before.reset()
    }

    /// Drops the copy: only once no statement of the connection reads (StoredSessions'
    /// copies are read until their finish).
    func drop() throws {
        _ = try SQLiteStatement(connection: connection, sql: "DROP TABLE temp.sessions_before").execute()
    }

    private func closeCurrent() throws {
        if let current { try store(current.key, max(current.before, current.last)) }
        current = nil
    }

    private func store(_ key: VisitorProperty, _ sessions: Int64) throws {
        let statement = sessions > 0 ? upsert : remove
        statement.bind(1, key.person)
        statement.bind(2, key.property)
        if sessions > 0 { statement.bind(3, sessions) }
        _ = try statement.execute()
    }
}

/// A visitor on a property (agg_visitor_property's key), in that table's order.
struct VisitorProperty: Hashable, Comparable {
    let person: Int64, property: Int64
    static func < (a: VisitorProperty, b: VisitorProperty) -> Bool { (a.person, a.property) < (b.person, b.property) }
}
