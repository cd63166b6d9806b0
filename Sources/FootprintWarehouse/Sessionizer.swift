import Foundation
import FootprintInput
import FootprintNormalize
import GRDB

/// Cuts page views into sessions (fact_session) for the visitors touched by recent
/// loads: per visitor and property, in time order, a new session starts when the
/// export's session id changes, or — without ids — after more than the timeout of
/// inactivity. It also rewrites those visitors' visitor days (agg_visitor_day).
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
    static let markFirstLoadSQL = "INSERT OR REPLACE INTO meta (key, value) VALUES ('\(firstLoadMark)', 'everyone')"

    private func rebuildWithSmallCache(_ db: Database, warehouse: Warehouse) throws {
        let firstLoad = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.firstLoadMark]) != nil
        warehouse.lastReferralsCountedByCutter = false
        let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_sessions") ?? 0
        if pending == 0 && !firstLoad { return }
        guard let connection = db.sqliteConnection else { return }
        // When most visitors are touched (a first or large load), rebuilding everything
        // is cheaper than filtering each page view against the pending list.
        let persons = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dim_person") ?? 0
        let everything = firstLoad || pending * 4 >= persons
        let filter = everything ? "" : "f.person_key IN (SELECT person_key FROM pending_sessions)"
        var goalPages: [Int64: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT cg.content_key, g.bit FROM content_goal AS cg JOIN dim_goal AS g ON g.goal_key = cg.goal_key") {
            let bit: Int64 = row[1]
            goalPages[row[0], default: 0] |= 1 << bit
        }
        var topicPages: [Int64: [Int64]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT content_key, topic_key FROM content_topic ORDER BY content_key, topic_key") {
            topicPages[row[0], default: []].append(row[1])
        }
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
        let readsOnBothConnections = try presorted == nil && String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() == "wal"
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
            cutter.start(cutting: try presorted.rows.sorted(), countingReferrals: cutterCountsReferrals)
        } else if readsOnBothConnections {
            warehouse.lastSessionsInput = .tableOnBothConnections
            cutter.start(reading: warehouse, where: SessionCutter.condition(filter, "f.page_view_key > \(split)"))
        } else {
            warehouse.lastSessionsInput = .tableOnOneConnection
            cutter.start(cutting: try SessionCutter.sortedViews(connection, where: SessionCutter.condition(filter)))
        }
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
        } else {
            let pendingOnly = "person_key IN (SELECT person_key FROM pending_sessions)"
            try Summaries.subtractSessions(db, where: pendingOnly)
            try db.execute(sql: "DELETE FROM agg_visitor_day WHERE " + pendingOnly)
            try db.execute(sql: "DELETE FROM fact_session WHERE " + pendingOnly)
            try Summaries.subtractVisits(db, where: pendingOnly)
            try db.execute(sql: "DELETE FROM agg_topic_visitor_day WHERE " + pendingOnly)
            try db.execute(sql: "DELETE FROM fact_visit WHERE " + pendingOnly)
        }
        if readsOnBothConnections {
            cutter.provideLowerHalf(try SessionCutter.sortedViews(
                connection, where: SessionCutter.condition(filter, "f.page_view_key <= \(split)")))
        }
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
            try visitTally.add(visit)
            visits.append(visit.person); visits.append(visit.dateKey); visits.append(visit.startedAt)
            visits.append(visit.endedAt); visits.append(visit.pages); visits.append(visit.referrer); visits.append(visit.landing)
            visits.append(visit.goals)
            try visits.endRow()
        }
        let days = MultiRowInsert(connection: connection, table: "agg_visitor_day", columns: [
            "person_key", "property_key", "date_key", "geo_key", "views", "engaged_total", "engaged_views"])
        while let batch = cutter.next() {
            try referrals.add(counted: batch.referrals)
            for session in batch.sessions {
                tally.add(date: session.dateKey, property: session.property, referrer: session.referrer, pages: session.pages)
                sessions.append(session.person); sessions.append(session.property); sessions.append(session.dateKey)
                sessions.append(session.startedAt); sessions.append(session.endedAt); sessions.append(session.number)
                sessions.append(session.pages); sessions.append(session.referrer); sessions.append(session.landing)
                try sessions.endRow()
                try merger.add(session, emit: writeVisit)
            }
            for seen in batch.topicDays {
                topicDays.append(seen.date); topicDays.append(seen.topic); topicDays.append(seen.person)
                try topicDays.endRow()
            }
            for day in batch.days {
                days.append(day.person); days.append(day.property); days.append(day.date); days.append(day.geo)
                days.append(day.views); days.append(day.engagedTotal); days.append(day.engagedViews)
                try days.endRow()
            }
        }
        try cutter.rethrow()
        try merger.finish(emit: writeVisit)
        try sessions.flush()
        try visits.flush()
        try visitTally.flush()
        try topicDays.flush()
        try days.flush()
        try tally.flush()
        try db.execute(sql: "DELETE FROM pending_sessions")
        try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [Self.firstLoadMark])
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

/// A visitor who viewed one of a topic's pages on a day (agg_topic_visitor_day).
struct TopicDay: Hashable, Comparable, Sendable {
    let date, topic, person: Int64
    static func < (a: TopicDay, b: TopicDay) -> Bool { (a.date, a.topic) < (b.date, b.topic) }
}

/// Carries sorted rows from the writing thread to the cutter's, which alone uses them after.
struct SortedRowsBox: @unchecked Sendable {
    let rows: SortedRows<SessionInput>
}

/// One visit, as fact_session stores it.
struct CutSession: Sendable {
    var person, property, dateKey, startedAt, endedAt, number, pages, referrer, landing: Int64
    /// The goals whose pages it viewed, one bit each (dim_goal.bit).
    var goals: Int64 = 0
    /// The session id hash it was cut by (0: none), while it is open.
    var reference: UInt64
}

/// Reads, sorts and cuts on its own thread and connection; see Sessionizer.
final class SessionCutter: @unchecked Sendable {
    struct Batch: Sendable {
        var sessions: [CutSession] = []
        var days: [VisitorDayCounter.Row] = []
        /// Who viewed which topic's pages on which day (agg_topic_visitor_day), once each.
        var topicDays: [TopicDay] = []
        /// Page views per day, content and referrer (when counting referrals): in
        /// parts of up to `referralLimit` keys, added to what earlier parts counted.
        var referrals: [TripleKeyCounters.Entry] = []
    }

    private let timeoutSeconds: Int64
    /// Goal pages (content key → the bits of the goals it belongs to); empty without goals.
    private let goalPages: [Int64: Int64]
    /// Topic pages (content key → its topics' keys); empty without topic pages.
    private let topicPages: [Int64: [Int64]]
    private let queue = HandoffQueue<Batch>(capacity: 4)
    /// The lower half, sorted by the writing thread: at most one item.
    private let lowerHalf = HandoffQueue<SortedRowsBox>(capacity: 1)
    private let done = DispatchSemaphore(value: 0)
    private var started = false
    /// Set by the cutter's thread before it finishes the queue; read after.
    private var failure: Error?
    private static let batchSize = 8192
    private static let referralLimit = 100_000

    init(timeoutSeconds: Int64, goalPages: [Int64: Int64] = [:], topicPages: [Int64: [Int64]] = [:]) {
        self.timeoutSeconds = timeoutSeconds
        self.goalPages = goalPages
        self.topicPages = topicPages
    }

    /// Starts reading the page views that match `condition` ("" for all, else a WHERE
    /// clause over `f`, fact_page_view).
    func start(reading warehouse: Warehouse, where condition: String) {
        run { [self] queue in
            try warehouse.readOnSecondConnection { db in
                guard let connection = db.sqliteConnection else { return }
                // One pass in table order: a large page cache would only add memory.
                let upper = try Warehouse.withSortingCache(db) { try Self.sortedViews(connection, where: condition) }
                guard let lower = lowerHalf.take() else { return }  // stopped
                try cut(MergedRows(lower.rows, upper), into: queue)
            }
        }
    }

    /// Starts cutting rows already sorted (PresortedSessionInput, or all the rows the
    /// writing connection read), reading nothing; counting the referral summary of all
    /// of them too when asked.
    func start(cutting rows: SortedRows<SessionInput>, countingReferrals: Bool = false) {
        let box = SortedRowsBox(rows: rows)
        run { [self] queue in
            try cut(MergedRows(box.rows, SortedRows(inMemory: [])), into: queue, countingReferrals: countingReferrals)
        }
    }

    /// Runs `work` on the cutter's thread; an error is kept for `rethrow`.
    private func run(_ work: @escaping @Sendable (HandoffQueue<Batch>) throws -> Void) {
        started = true
        queue.startProducer(stackSize: 1 << 20) { [self] queue in
            defer { done.signal() }
            do {
                try work(queue)
            } catch {
                failure = error
            }
        }
    }

    /// Hands over the other page views, sorted; the cutter merges them with its own.
    func provideLowerHalf(_ rows: SortedRows<SessionInput>) {
        lowerHalf.put(SortedRowsBox(rows: rows))
        lowerHalf.finish()
    }

    /// "WHERE a AND b" of the non-empty conditions.
    static func condition(_ parts: String...) -> String {
        let given = parts.filter { !$0.isEmpty }
        return given.isEmpty ? "" : "WHERE " + given.joined(separator: " AND ")
    }

    /// The page views matching `condition`, read in table order and sorted here (see
    /// ExternalSorter for why not ORDER BY).
    static func sortedViews(_ connection: OpaquePointer, where condition: String) throws -> SortedRows<SessionInput> {
        let views = try SQLiteStatement(connection: connection, sql: """
            SELECT f.person_key, f.property_key, f.viewed_at, f.date_key, f.referrer_key, f.content_key, f.session_ref,
                   f.geo_key, f.engaged_seconds, f.page_view_key
            FROM fact_page_view AS f
            \(condition)
            """)
        var sorter = ExternalSorter<SessionInput>()
        defer { views.reset() }
        while try views.step() {
            try sorter.append(SessionInput(
                person: views.int64(0), property: views.int64(1), viewedAt: views.int64(2), pageView: views.int64(9),
                date: views.int64(3), referrer: views.int64(4), content: views.int64(5), geo: views.int64(7),
                engaged: views.double(8) ?? .nan, reference: views.textHash(6)))
        }
        return try sorter.sorted()
    }

    /// The next batch; nil when all were handed over (or the cutter failed: see `rethrow`).
    func next() -> Batch? { queue.take() }

    func rethrow() throws { if let failure { throw failure } }

    /// Stops the cutter if it is still running and waits until its thread is done, so
    /// that its connection is closed before the caller goes on.
    func stop() {
        guard started else { return }
        queue.cancel()
        lowerHalf.cancel()
        done.wait()
        started = false
    }

    private func cut(_ rows: MergedRows<SessionInput>, into queue: HandoffQueue<Batch>, countingReferrals: Bool = false) throws {
        var sorted = rows
        var days = VisitorDayCounter()
        var batch = Batch()
        // The sessions of the current visitor and property, in the order they started.
        // Several can be open at once when the export gives session ids: two tabs or two
        // devices interleave their page views, and a session is all the page views of
        // one (visitor, session id), not a run of them (cutting at every switch made 3
        // sessions of 2).
        var open: [CutSession] = []
        var number: Int64 = 0
        func flush() -> Bool {
            for finished in open {
                batch.sessions.append(finished)
                if batch.sessions.count >= Self.batchSize {
                    guard queue.put(batch) else { return false }  // stopped
                    batch = Batch()
                }
            }
            open.removeAll(keepingCapacity: true)
            return true
        }
        var referrals = TripleKeyCounters()
        // The current visitor's (day, topic) pairs: a visitor's views of all properties
        // come together, so the set holds one visitor's at a time.
        var topicPerson: Int64?
        var personTopics = Set<TopicDay>()
        func flushTopics() {
            guard !personTopics.isEmpty else { return }
            batch.topicDays += personTopics.sorted()
            personTopics.removeAll(keepingCapacity: true)
        }
        while let view = try sorted.next() {
            let person = view.person, property = view.property, viewedAt = view.viewedAt
            let reference = view.reference
            if !topicPages.isEmpty {
                if person != topicPerson { flushTopics(); topicPerson = person }
                for topic in topicPages[view.content] ?? [] {
                    personTopics.insert(TopicDay(date: view.date, topic: topic, person: person))
                }
            }
            if countingReferrals {
                referrals.countView(date: view.date, content: view.content, referrer: view.referrer, at: viewedAt)
                if referrals.count >= Self.referralLimit {
                    batch.referrals += referrals.sortedEntries()
                    referrals.removeAll()
                }
            }
            days.add(person: person, property: property, date: view.date, geo: view.geo,
                     engaged: view.engaged.isNaN ? nil : view.engaged, into: &batch.days)
            if let first = open.first, first.person != person || first.property != property {
                guard flush() else { return }
                number = 0
            }
            // One dictionary look-up per page view, and none at all without goals.
            let goals = goalPages.isEmpty ? 0 : goalPages[view.content] ?? 0
            if let index = sessionContinued(in: open, at: viewedAt, reference: reference) {
                open[index].endedAt = viewedAt
                open[index].pages += 1
                open[index].goals |= goals
                if reference != 0 { open[index].reference = reference }
                continue
            }
            number += 1
            open.append(CutSession(person: person, property: property, dateKey: view.date, startedAt: viewedAt,
                                   endedAt: viewedAt, number: number, pages: 1, referrer: view.referrer,
                                   landing: view.content, goals: goals, reference: reference))
        }
        guard flush() else { return }
        flushTopics()
        days.finish(into: &batch.days)
        batch.referrals += referrals.sortedEntries()
        _ = queue.put(batch)
    }

    /// Which open session a page view continues, if any. A view with a session id joins
    /// the open session with that id, however long ago it was active; otherwise the most
    /// recently active session is continued when the inactivity gap allows and the two
    /// do not carry different ids.
    private func sessionContinued(in open: [CutSession], at time: Int64, reference: UInt64) -> Int? {
        if reference != 0, let same = open.lastIndex(where: { $0.reference == reference }) { return same }
        guard var latest = open.indices.last else { return nil }
        for index in open.indices where open[index].endedAt > open[latest].endedAt { latest = index }
        let session = open[latest]
        if reference != 0 && session.reference != 0 { return nil }
        return time - session.endedAt <= timeoutSeconds ? latest : nil
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
    let count: Int

    init(rows: ExternalSorter<SessionInput>, count: Int) {
        self.rows = rows
        self.count = count
    }
}
