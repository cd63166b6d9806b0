import Foundation
import FootprintInput
import FootprintNormalize
import GRDB

/// Cuts page views into sessions (fact_session) for the visitors touched by recent
/// loads: per visitor and property, in time order, a new session starts when the
/// export's session id changes, or — without ids — after more than the timeout of
/// inactivity. It also rewrites those visitors' visitor days (agg_visitor_day,
/// agg_topic_visitor_day) on the days whose page views changed (pending_days).
///
/// Two threads, so that the second core does not idle after a load: a `SessionCutter`
/// on a second, read-only connection reads and sorts the upper half of the touched page
/// views while this thread does the lower half; the cutter merges both, cuts sessions
/// and hands sessions and visitor days over in batches, which this thread writes.
struct Sessionizer {
    let timeoutSeconds: Int64

    /// `warehouse` opens the second connection; `db` is the writing one, in a transaction
    /// that has not changed fact_page_view or pending_sessions (the cutter reads the
    /// last committed state of both).
    func rebuild(_ db: Database, warehouse: Warehouse) throws {
        // Appends and one scan: the loader's large page cache is given back meanwhile,
        // which keeps the peak of the two threads' sort buffers under the load's.
        try Warehouse.withSortingCache(db) { try rebuildWithSmallCache(db, warehouse: warehouse) }
    }

    /// Marks what a first load of page views owes this pass (see
    /// FactWriter.finishBulkPageViews): every visitor's sessions, as if all of dim_person
    /// were in pending_sessions, and the referral summary of all page views.
    static let firstLoadMark = "first_load_pending"
    /// Set by a load that removed page views (`ingest --reload`): a session that started
    /// before the removed days may have lost views, so the next pass cuts its visitors
    /// from their first day (SessionWindows; PostgreSQL's pass always does). Cleared by
    /// every pass, whichever way it cut.
    static let fromStartMark = "sessions_from_start"
    /// The indexes by day of sessions and visits (migration v19), built again after
    /// everything was cut.
    static let sessionIndexesSQL = """
        CREATE INDEX fact_session_by_day ON fact_session (date_key, person_key, property_key, session_number);
        CREATE INDEX fact_visit_by_day ON fact_visit (date_key, person_key);
        """
    static let markFirstLoadSQL = "INSERT OR REPLACE INTO meta (key, value) VALUES ('\(firstLoadMark)', 'everyone')"

    private func rebuildWithSmallCache(_ db: Database, warehouse: Warehouse) throws {
        FreedMemory.giveBack()
        guard let connection = db.sqliteConnection else { return }
        let sql = SQLiteConnection(connection)
        warehouse.lastReferralsCountedByCutter = false
        guard let work = try Self.work(sql) else { return }
        let firstLoad = work.firstLoad, everything = work.everything
        // A night re-cuts its visitors from a window of days (SessionWindows).
        let windows = everything ? nil : try SessionWindows(db, reach: max(timeoutSeconds, SessionCutter.referenceReach))
        let filter = windows?.rows(of: "f") ?? ""
        let (goalPages, topicPages) = try Self.definedPages(sql)
        let cutter = SessionCutter(timeoutSeconds: timeoutSeconds, goalPages: goalPages, topicPages: topicPages)
        defer { cutter.stop() }
        // A first load gathered and sorted this input while inserting (PresortedSessionInput);
        // it stands for the table when it covers every page view there is.
        var presorted = warehouse.takePresortedSessionInput()
        if let input = presorted {
            let views = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fact_page_view") ?? -1
            if !everything || input.count != views { presorted = nil }
        }
        // A second connection may read beside this one only in WAL mode: with the rollback
        // journal a first load keeps (Warehouse.restoreWALAfterDerivedFacts), a reader
        // would block this writer's cache spills, and the writer would wait for the
        // reader's batches. Without WAL this connection reads everything itself.
        // A night's few visitors are found through fact_page_view_by_day on this
        // connection; halves by key would make SQLite scan each half instead.
        let readsOnBothConnections = try presorted == nil && everything && String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() == "wal"
        // Where the two halves meet. Two subqueries: SQLite answers a lone MIN or MAX of
        // the key from one end of the B-tree, but both in one SELECT scanned the whole
        // table (0.16 s for 2 million rows, on every run).
        let split = try readsOnBothConnections ? Int64.fetchOne(db, sql: """
            SELECT ((SELECT MIN(page_view_key) FROM fact_page_view) + (SELECT MAX(page_view_key) FROM fact_page_view)) / 2
            """) ?? 0 : 0
        // The cutter counts the referral summary only when it sees every page view;
        // otherwise the table is grouped again.
        let cutterCountsReferrals = firstLoad && presorted != nil
        warehouse.lastReferralsCountedByCutter = cutterCountsReferrals
        if let presorted {
            warehouse.lastSessionsInput = .presorted
            cutter.start(cutting: try presorted.rows.sorted(), skipping: presorted.skipping, countingReferrals: cutterCountsReferrals)
        } else if readsOnBothConnections {
            warehouse.lastSessionsInput = .tableOnBothConnections
            cutter.start(reading: warehouse, where: SessionCutter.condition(filter, "f.page_view_key > \(split)"))
        } else {
            warehouse.lastSessionsInput = .tableOnOneConnection
            cutter.start(cutting: try SessionCutter.sortedViews(connection, where: SessionCutter.condition(filter)))
        }
        Trace.mark("sessionizer input: \(warehouse.lastSessionsInput.map { "\($0)" } ?? "none")")
        if cutterCountsReferrals {
            try db.execute(sql: "DELETE FROM agg_page_view_referral")
        } else if firstLoad {
            try Summaries.rebuildAllReferrals(db)
        }
        if everything {
            try db.execute(sql: "DELETE FROM agg_session_start")
            try db.execute(sql: "DELETE FROM agg_visitor_day")
            try db.execute(sql: "DELETE FROM fact_session")
            try db.execute(sql: "DELETE FROM fact_visit")
            try db.execute(sql: "DELETE FROM agg_visit_start")
            try db.execute(sql: "DELETE FROM agg_topic_visitor_day")
            try db.execute(sql: "DELETE FROM agg_visitor_property")
            // Sessions come by visitor: into the indexes by day each would land on another
            // page (2 million page views: 10.1 s against 3.1 s for this phase). Built after.
            try db.execute(sql: "DROP INDEX fact_session_by_day")
            try db.execute(sql: "DROP INDEX fact_visit_by_day")
        } else {
            try db.execute(sql: "DELETE FROM agg_visitor_day WHERE " + Self.pendingVisitorDays())
            try db.execute(sql: "DELETE FROM agg_topic_visitor_day WHERE " + Self.pendingVisitorDays())
        }
        // Sessions and visits: all written again when everything is cut again; otherwise
        // only those that changed (StoredSessions).
        let stored = try windows.map { try StoredSessions(connection: connection, window: $0) }
        // Sessions per visitor and property: a window's are numbered on from those before
        // it; everything cut again writes them all (SessionCounts.swift).
        let windowCounts = try windows.map { try WindowSessionCounts(connection: connection, window: $0) }
        let counts = windows == nil ? SessionCounts(connection: connection) : nil
        // The visitor days written: all of them when everything is cut again (sorted by
        // day first, the tables' order: in the cutter's order, by visitor, each row
        // would land on another page); otherwise the pending visitors' rows of the
        // pending days, the only ones whose page views changed.
        let pendingDays = everything ? nil : try Self.pendingDays(SQLiteConnection(db))
        var allDays: ExternalSorter<VisitorDayRow>? = everything ? ExternalSorter(runLength: 16_384) : nil
        var allTopicDays: ExternalSorter<TopicDayRow>? = everything ? ExternalSorter(runLength: 16_384) : nil
        Trace.mark("earlier sessions deleted")
        if readsOnBothConnections {
            cutter.provideLowerHalf(try SessionCutter.sortedViews(
                connection, where: SessionCutter.condition(filter, "f.page_view_key <= \(split)")))
        }
        Trace.mark("lower half read")
        let tally = try SessionTally(connection: connection)
        let referrals = try ReferralTally(connection: connection)
        let sessions = MultiRowInsert(connection: connection, table: "fact_session", columns: [
            "person_key", "property_key", "date_key", "started_at", "ended_at", "session_number",
            "page_count", "referrer_key", "landing_content_key"])
        let visits = MultiRowInsert(connection: connection, table: "fact_visit", columns: [
            "person_key", "date_key", "started_at", "ended_at", "page_count", "referrer_key", "landing_content_key", "goal_mask"])
        var merger = VisitMerger(timeoutSeconds: timeoutSeconds)
        let visitTally = try VisitTally(connection: connection)
        let topicDays = MultiRowInsert(connection: connection, table: "agg_topic_visitor_day", columns: [
            "date_key", "topic_key", "person_key"])
        func writeVisit(_ visit: VisitMerger.Visit) throws {
            if try stored?.keeps(visit, tally: visitTally) == true { return }
            try visitTally.add(visit)
            visits.append(visit.person); visits.append(visit.dateKey); visits.append(visit.startedAt)
            visits.append(visit.endedAt); visits.append(visit.pages); visits.append(visit.referrer); visits.append(visit.landing)
            visits.append(visit.goals)
            try visits.endRow()
        }
        let days = MultiRowInsert(connection: connection, table: "agg_visitor_day", columns: [
            "person_key", "property_key", "date_key", "geo_key", "views", "engaged_total", "engaged_views"])
        func write(_ day: VisitorDayRow) throws {
            days.append(day.person); days.append(day.property); days.append(day.date); days.append(day.geo)
            days.append(day.views); days.append(day.engagedTotal.isNaN ? nil : day.engagedTotal); days.append(day.engagedViews)
            try days.endRow()
        }
        func write(_ seen: TopicDayRow) throws {
            topicDays.append(seen.date); topicDays.append(seen.topic); topicDays.append(seen.person)
            try topicDays.endRow()
        }
        while let batch = cutter.next() {
            try referrals.add(counted: batch.referrals)
            for var session in batch.sessions {
                let key = VisitorProperty(person: session.person, property: session.property)
                if let windowCounts {
                    session.number = try windowCounts.number(key, session.number)
                } else {
                    try counts?.add(key, session.number)
                }
                if try stored?.keeps(session, tally: tally) == true {
                    try merger.add(session, emit: writeVisit)
                    continue
                }
                try tally.add(date: session.dateKey, property: session.property, referrer: session.referrer, pages: session.pages)
                sessions.append(session.person); sessions.append(session.property); sessions.append(session.dateKey)
                sessions.append(session.startedAt); sessions.append(session.endedAt); sessions.append(session.number)
                sessions.append(session.pages); sessions.append(session.referrer); sessions.append(session.landing)
                try sessions.endRow()
                try merger.add(session, emit: writeVisit)
            }
            for seen in batch.topicDays {
                if let pendingDays {
                    if pendingDays.contains(seen.date) { try write(TopicDayRow(seen)) }
                } else {
                    try allTopicDays?.append(TopicDayRow(seen))
                }
            }
            for day in batch.days {
                if let pendingDays {
                    if pendingDays.contains(day.date) { try write(VisitorDayRow(day)) }
                } else {
                    try allDays?.append(VisitorDayRow(day))
                }
            }
        }
        Trace.mark("sessions and visits written")
        if var all = allTopicDays {
            var sorted = try all.sorted()
            while let seen = try sorted.next() { try write(seen) }
        }
        if var all = allDays {
            var sorted = try all.sorted()
            while let day = try sorted.next() { try write(day) }
        }
        if everything { Trace.mark("visitor days sorted and written") }
        try cutter.rethrow()
        try merger.finish(emit: writeVisit)
        try windowCounts?.finish()
        try stored?.finish(sessionTally: tally, visitTally: visitTally)
        try windowCounts?.drop()
        try sessions.flush()
        try visits.flush()
        try visitTally.flush()
        try topicDays.flush()
        try days.flush()
        try tally.flush()
        if stored != nil {
            // Start summaries whose every session or visit was taken out, on the days they
            // were taken from (keyed by day first): not a scan of every day's rows.
            func zeros(_ table: String, _ count: String, on days: Set<Int64>) throws {
                guard !days.isEmpty else { return }
                try db.execute(sql: "DELETE FROM \(table) WHERE date_key IN (\(days.sorted().map(String.init).joined(separator: ", "))) AND \(count) = 0")
            }
            try zeros("agg_session_start", "sessions", on: tally.takenFrom)
            try zeros("agg_visit_start", "visits", on: visitTally.takenFrom)
        }
        if let windows {
            try windows.finish(db)
        } else {
            try counts?.finish()
            // Two sorting threads, as for the page views' indexes (BulkPageViewLoad).
            try db.execute(sql: "PRAGMA threads = 2")
            try db.execute(sql: Self.sessionIndexesSQL)
            try db.execute(sql: "PRAGMA threads = 0")
        }
        Trace.mark("summaries flushed")
        try db.execute(sql: "DELETE FROM pending_sessions")
        try db.execute(sql: "DELETE FROM pending_days")
        try db.execute(sql: "DELETE FROM meta WHERE key IN (?, ?)", arguments: [Self.firstLoadMark, Self.fromStartMark])
    }
}

extension Sessionizer {
    /// The visitor-day rows a night's pass recounts (agg_visitor_day,
    /// agg_topic_visitor_day): the pending visitors' rows (`persons`, a condition on
    /// person_key) of the days whose page views changed. Their other days are as they
    /// were. The same on both engines.
    static func pendingVisitorDays(_ persons: String = "person_key IN (SELECT person_key FROM pending_sessions)") -> String {
        "date_key IN (SELECT date_key FROM pending_days) AND " + persons
    }

    /// Those days: the visitor days a night's cut gives are written only for them.
    static func pendingDays(_ db: SQLConnection) throws -> Set<Int64> {
        Set(try db.rows("SELECT date_key FROM pending_days").compactMap { $0[0].int64 })
    }

    /// What a pass owes, or nil when nothing is due: `firstLoad` when a first load (or a
    /// change of goal or topic pages) marked every visitor, `everything` when all
    /// sessions are cut again — then, or when most visitors are touched, rebuilding
    /// everything is cheaper than filtering each page view against the pending list.
    /// The same on both engines.
    static func work(_ db: SQLConnection) throws -> (firstLoad: Bool, everything: Bool)? {
        let firstLoad = try Meta.get(db, firstLoadMark) != nil
        let pending = try db.value("SELECT COUNT(*) FROM pending_sessions").int64 ?? 0
        if pending == 0 && !firstLoad { return nil }
        // Whether there are at most four times as many visitors: counted up to that many,
        // not all of them (a million visitors of history: 68 ms a night on PostgreSQL).
        let persons = try db.value("SELECT COUNT(*) FROM (SELECT 1 FROM dim_person LIMIT :limit) AS p",
                                   ["limit": .integer(pending * 4 + 1)]).int64 ?? 0
        return (firstLoad, firstLoad || pending * 4 >= persons)
    }

    /// Goal pages (content key → the bits of its goals) and topic pages (content key →
    /// its topics), as the cutter marks visits and topic visitors with them.
    static func definedPages(_ db: SQLConnection) throws -> (goals: [Int64: Int64], topics: [Int64: [Int64]]) {
        var goals: [Int64: Int64] = [:]
        for row in try db.rows("SELECT cg.content_key, g.bit FROM content_goal AS cg JOIN dim_goal AS g ON g.goal_key = cg.goal_key") {
            goals[row[0].int64 ?? 0, default: 0] |= 1 << (row[1].int64 ?? 0)
        }
        var topics: [Int64: [Int64]] = [:]
        for row in try db.rows("SELECT content_key, topic_key FROM content_topic ORDER BY content_key, topic_key") {
            topics[row[0].int64 ?? 0, default: []].append(row[1].int64 ?? 0)
        }
        return (goals, topics)
    }
}

/// Where the sessionizer takes the page views it cuts from.
enum SessionsInput {
    /// Gathered while a first load inserted them (PresortedSessionInput).
    case presorted
    /// Read from the table, each half on its own connection and thread (WAL mode).
    case tableOnBothConnections
    /// Read from the table on the writing connection alone (a rollback journal).
    case tableOnOneConnection
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

extension SessionInput {
    /// The input for a page view being inserted as row `pageView` (BulkPageViewLoad);
    /// the same values `SessionCutter.sortedViews` reads back from the table.
    init(_ row: PageViewRow, pageView: Int64) {
        self.init(person: row.person, property: row.property, viewedAt: row.viewedAt, pageView: pageView,
                  date: Int64(row.dateKey), referrer: row.referrer, content: row.content, geo: row.geo,
                  engaged: row.engagedSeconds ?? .nan,
                  reference: row.sessionID.map { id in var id = id; return id.withUTF8(SessionInput.reference) } ?? 0)
    }

    /// The non-zero hash a session id stands for (read from the table or from the row
    /// being inserted: both must give the same value).
    static func reference(_ id: UnsafeBufferPointer<UInt8>) -> UInt64 {
        max(StableHash.hash64(bytes: id), 1)
    }
}

/// The sessionizer's input for the page views of a first load, gathered and sorted (in
/// bounded memory) while they were inserted.
///
/// Why: after a first load the sessionizer re-cuts everything, and reading every page
/// view back from the table and sorting it was about a second of wall time after the
/// load (scripts/bench), with one core mostly idle. The rows are at hand while they are
/// inserted, when the loading thread waits on the staging thread part of the time.
/// It is used only when it covers the whole table (see Sessionizer): a load whose
/// repeats were deleted when the dedupe index was built, or a later file in the same
/// run adding page views, makes the sessionizer read the table as before.
///
/// A class, so that Warehouse, which holds one between the load and the sessionizer,
/// keeps its size when the sorter changes: a release build that recompiled the
/// warehouse but not the executable allocated Warehouse at its old size (heap
/// corruption, seen twice here); a clean build never does.
final class PresortedSessionInput {
    var rows: ExternalSorter<SessionInput>
    /// The rows in the table: collected less the repeats deleted after (`skipping`).
    let count: Int
    /// Page view keys of collected rows deleted as repeats of an earlier row of the file
    /// (overlapping exports): passed over when cutting.
    let skipping: Set<Int64>

    init(rows: ExternalSorter<SessionInput>, count: Int, skipping: Set<Int64> = []) {
        self.rows = rows
        self.count = count
        self.skipping = skipping
    }
}

/// A visitor day (agg_visitor_day) in the table's order: by day, property, visitor, place.
struct VisitorDayRow: Comparable, BitwiseCopyable {
    var date, property, person, geo, views, engagedViews: Int64
    /// NaN when none of the day's views gave engaged time.
    var engagedTotal: Double

    init(_ row: VisitorDayCounter.Row) {
        (date, property, person, geo, views, engagedViews) = (row.date, row.property, row.person, row.geo, row.views, row.engagedViews)
        engagedTotal = row.engagedTotal ?? .nan
    }

    static func < (a: VisitorDayRow, b: VisitorDayRow) -> Bool {
        (a.date, a.property, a.person, a.geo) < (b.date, b.property, b.person, b.geo)
    }

    static func == (a: VisitorDayRow, b: VisitorDayRow) -> Bool {
        (a.date, a.property, a.person, a.geo) == (b.date, b.property, b.person, b.geo)
    }
}

/// A topic visitor day (agg_topic_visitor_day) in the table's order: day, topic, visitor.
struct TopicDayRow: Comparable, BitwiseCopyable {
    var date, topic, person: Int64

    init(_ seen: TopicDay) { (date, topic, person) = (seen.date, seen.topic, seen.person) }

    static func < (a: TopicDayRow, b: TopicDayRow) -> Bool { (a.date, a.topic, a.person) < (b.date, b.topic, b.person) }
}
