import Foundation
import FootprintInput
import FootprintNormalize
import GRDB

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
    private static let referralLimit = 50_000

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
    func start(cutting rows: SortedRows<SessionInput>, skipping: Set<Int64> = [], countingReferrals: Bool = false) {
        let box = SortedRowsBox(rows: rows)
        run { [self] queue in
            try cut(MergedRows(box.rows, SortedRows(inMemory: [])), skipping: skipping, into: queue, countingReferrals: countingReferrals)
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

    private func cut(_ rows: MergedRows<SessionInput>, skipping: Set<Int64> = [], into queue: HandoffQueue<Batch>,
                     countingReferrals: Bool = false) throws {
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
            if !skipping.isEmpty && skipping.contains(view.pageView) { continue }
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

    /// How long after its last page view a session can still be joined by a view with
    /// its id. Analytics tools end a session after at most a few hours of inactivity
    /// (Google Analytics: 7 h 55 min at most), so an id seen again after this is another
    /// session. The bound is also what lets a night re-cut a window of days rather than
    /// a visitor's whole history (SessionWindows): nothing older can be joined.
    static let referenceReach: Int64 = 12 * 3600

    /// Which open session a page view continues, if any. A view with a session id joins
    /// the open session with that id if it was active within `referenceReach`; otherwise
    /// the most recently active session is continued when the inactivity gap allows and
    /// the two do not carry different ids.
    private func sessionContinued(in open: [CutSession], at time: Int64, reference: UInt64) -> Int? {
        if reference != 0, let same = open.lastIndex(where: { $0.reference == reference }),
           time - open[same].endedAt <= Self.referenceReach {
            return same
        }
        guard var latest = open.indices.last else { return nil }
        for index in open.indices where open[index].endedAt > open[latest].endedAt { latest = index }
        let session = open[latest]
        if reference != 0 && session.reference != 0 { return nil }
        return time - session.endedAt <= timeoutSeconds ? latest : nil
    }
}
