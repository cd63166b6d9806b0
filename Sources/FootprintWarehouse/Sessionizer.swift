import GRDB

/// Cuts page views into sessions (fact_session) for the visitors touched by recent
/// loads: per visitor and property, in time order, a new session starts when the
/// export's session id changes, or — without ids — after more than the timeout of
/// inactivity. The touched page views are sorted by visitor, property and time, then cut
/// in one ordered pass, with one prepared insert per session.
struct Sessionizer {
    let timeoutSeconds: Int64

    func rebuild(_ db: Database) throws {
        let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_sessions") ?? 0
        if pending == 0 { return }
        guard let connection = db.sqliteConnection else { return }
        // When most visitors are touched (a first or large load), rebuilding everything
        // is cheaper than filtering each page view against the pending list.
        let persons = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dim_person") ?? 0
        let everything = pending * 4 >= persons
        let filter = everything ? "" : "WHERE f.person_key IN (SELECT person_key FROM pending_sessions)"
        if everything {
            try db.execute(sql: "DELETE FROM agg_session_start")
            try db.execute(sql: "DELETE FROM agg_visitor_day")
            try db.execute(sql: "DELETE FROM fact_session")
        } else {
            let pendingOnly = "person_key IN (SELECT person_key FROM pending_sessions)"
            try Summaries.subtractSessions(db, where: pendingOnly)
            try db.execute(sql: "DELETE FROM agg_visitor_day WHERE " + pendingOnly)
            try db.execute(sql: "DELETE FROM fact_session WHERE " + pendingOnly)
        }
        let tally = try SessionTally(connection: connection)
        let days = try VisitorDayWriter(connection: connection)
        // Read in table order and sorted here (see ExternalSorter for why not ORDER BY).
        let views = try SQLiteStatement(connection: connection, sql: """
            SELECT f.person_key, f.property_key, f.viewed_at, f.date_key, f.referrer_key, f.content_key, f.session_ref,
                   f.geo_key, f.engaged_seconds, f.page_view_key
            FROM fact_page_view AS f
            \(filter)
            """)
        var sorter = ExternalSorter<SessionInput>()
        defer { views.reset() }
        while try views.step() {
            try sorter.append(SessionInput(
                person: views.int64(0), property: views.int64(1), viewedAt: views.int64(2), pageView: views.int64(9),
                date: views.int64(3), referrer: views.int64(4), content: views.int64(5), geo: views.int64(7),
                engaged: views.double(8) ?? .nan, reference: views.textHash(6)))
        }
        views.reset()
        let insert = MultiRowInsert(connection: connection, prefix: """
            INSERT INTO fact_session (person_key, property_key, date_key, started_at, ended_at, session_number,
                                      page_count, referrer_key, landing_content_key)
            """, columns: 9)
        var sorted = try sorter.sorted()
        var open: OpenSession?
        while let view = try sorted.next() {
            let person = view.person, property = view.property, viewedAt = view.viewedAt
            let reference = view.reference
            try days.add(person: person, property: property, date: view.date, geo: view.geo,
                         engaged: view.engaged.isNaN ? nil : view.engaged)
            if var session = open, session.person == person, session.property == property,
               continues(session, at: viewedAt, reference: reference) {
                session.endedAt = viewedAt
                session.pages += 1
                if reference != 0 { session.reference = reference }
                open = session
                continue
            }
            let number = open.map { $0.person == person && $0.property == property ? $0.number + 1 : 1 } ?? 1
            if let finished = open { try write(finished, with: insert, tally: tally) }
            open = OpenSession(person: person, property: property, dateKey: view.date, startedAt: viewedAt,
                               endedAt: viewedAt, number: number, pages: 1, referrer: view.referrer,
                               landing: view.content, reference: reference)
        }
        if let finished = open { try write(finished, with: insert, tally: tally) }
        try insert.flush()
        try tally.flush()
        try days.finish()
        try db.execute(sql: "DELETE FROM pending_sessions")
    }

    private struct OpenSession {
        var person, property, dateKey, startedAt, endedAt, number, pages, referrer, landing: Int64
        var reference: UInt64
    }

    /// Given session ids decide when both rows have one; otherwise the inactivity gap does.
    private func continues(_ session: OpenSession, at time: Int64, reference: UInt64) -> Bool {
        if reference != 0 && session.reference != 0 { return reference == session.reference }
        return time - session.endedAt <= timeoutSeconds
    }

    private func write(_ session: OpenSession, with insert: MultiRowInsert, tally: SessionTally) throws {
        tally.add(date: session.dateKey, property: session.property, referrer: session.referrer, pages: session.pages)
        insert.append(session.person); insert.append(session.property); insert.append(session.dateKey)
        insert.append(session.startedAt); insert.append(session.endedAt); insert.append(session.number)
        insert.append(session.pages); insert.append(session.referrer); insert.append(session.landing)
        try insert.endRow()
    }
}

/// What the sessionizer needs of one page view, ordered as sessions are cut: by visitor,
/// property and time (the page view's key breaks ties, as rows loaded earlier come first).
/// Plain fixed-size values, so that runs can be sorted and spilled cheaply.
struct SessionInput: Comparable, BitwiseCopyable {
    var person, property, viewedAt, pageView, date, referrer, content, geo: Int64
    /// NaN when the export gave no engaged time.
    var engaged: Double
    /// A 64-bit hash of the export's session id, 0 when it gave none. Two different ids
    /// of one visitor would merge their sessions only if their hashes collided (odds of
    /// about 1 in 2^64 per pair of consecutive views).
    var reference: UInt64

    static func < (a: SessionInput, b: SessionInput) -> Bool {
        if a.person != b.person { return a.person < b.person }
        if a.property != b.property { return a.property < b.property }
        if a.viewedAt != b.viewedAt { return a.viewedAt < b.viewedAt }
        return a.pageView < b.pageView
    }

    static func == (a: SessionInput, b: SessionInput) -> Bool {
        a.person == b.person && a.property == b.property && a.viewedAt == b.viewedAt && a.pageView == b.pageView
    }
}
