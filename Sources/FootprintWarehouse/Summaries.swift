import GRDB

/// The summary tables (migrations v5 and v7) and how they stay equal to what their fact
/// tables say. The loader adds each file's new page views through a `ReferralTally` (a
/// first load leaves them to the sessionizer's cutter, which walks them all anyway); the
/// sessionizer subtracts the sessions it is about to rebuild and adds the new ones
/// through a `SessionTally`, and rewrites the visitor days of the visitors it re-cuts
/// through a `VisitorDayCounter`; a change of time zone or an erasure recomputes what it
/// touched. Tests compare the incremental result with `rebuild`.
enum Summaries {
    /// Recomputes every summary from the fact tables.
    static func rebuild(_ db: Database) throws { try rebuild(SQLiteConnection(db)) }

    static func rebuildReferralsAndSessionStarts(_ db: Database) throws { try rebuildReferralsAndSessionStarts(SQLiteConnection(db)) }

    static func rebuildVisitorDays(_ db: Database) throws { try rebuildVisitorDays(SQLiteConnection(db)) }

    static func rebuild(_ db: SQLConnection) throws {
        try rebuildReferralsAndSessionStarts(db)
        try rebuildVisitorDays(db)
        try rebuildVisitStarts(db)
        try rebuildTopicVisitorDays(db)
        try rebuildSubscribers(db)
    }

    /// Recomputes who viewed which topic's pages on which day.
    static func rebuildTopicVisitorDays(_ db: SQLConnection) throws {
        try db.execute("DELETE FROM agg_topic_visitor_day")
        try db.execute("""
            INSERT INTO agg_topic_visitor_day (date_key, topic_key, person_key)
            SELECT DISTINCT f.date_key, ct.topic_key, f.person_key
            FROM fact_page_view AS f JOIN content_topic AS ct ON ct.content_key = f.content_key
            """)
    }

    /// Recomputes the visit summary from the visits.
    static func rebuildVisitStarts(_ db: SQLConnection) throws {
        try db.execute("DELETE FROM agg_visit_start")
        try db.execute("""
            INSERT INTO agg_visit_start (date_key, referrer_key, landing_content_key, goal_mask, visits)
            SELECT date_key, referrer_key, landing_content_key, goal_mask, COUNT(*)
            FROM fact_visit GROUP BY date_key, referrer_key, landing_content_key, goal_mask
            """)
    }

    /// Takes the visits chosen by `condition` out of the visit summary; call before
    /// deleting them.
    static func subtractVisits(_ db: SQLConnection, where condition: String, arguments: [String: SQLValue] = [:]) throws {
        let gone = try db.rows("""
            SELECT date_key, referrer_key, landing_content_key, goal_mask, COUNT(*)
            FROM fact_visit WHERE \(condition)
            GROUP BY date_key, referrer_key, landing_content_key, goal_mask
            """, arguments)
        try subtract(db, gone, from: "agg_visit_start", keys: ["date_key", "referrer_key", "landing_content_key", "goal_mask"],
                     counts: ["visits"])
        try db.execute("DELETE FROM agg_visit_start WHERE visits = 0")
    }

    /// The two summaries of migration v5 (a migration must not touch later tables).
    static func rebuildReferralsAndSessionStarts(_ db: SQLConnection) throws {
        try rebuildAllReferrals(db)
        try db.execute("DELETE FROM agg_session_start")
        try db.execute("""
            INSERT INTO agg_session_start (date_key, property_key, referrer_key, sessions, bounces)
            SELECT date_key, property_key, referrer_key, COUNT(*), SUM(CASE WHEN page_count = 1 THEN 1 ELSE 0 END)
            FROM fact_session GROUP BY date_key, property_key, referrer_key
            """)
    }

    /// Recomputes the referral summary from the page views.
    static func rebuildAllReferrals(_ db: Database) throws { try rebuildAllReferrals(SQLiteConnection(db)) }

    static func rebuildAllReferrals(_ db: SQLConnection) throws {
        try db.execute("DELETE FROM agg_page_view_referral")
        try db.execute("INSERT INTO agg_page_view_referral (date_key, content_key, referrer_key, first_viewed_at, views) " + referrals(where: ""))
    }

    /// Recomputes the visitor-day summary from the page views.
    static func rebuildVisitorDays(_ db: SQLConnection) throws {
        try db.execute("DELETE FROM agg_visitor_day")
        try db.execute("""
            INSERT INTO agg_visitor_day (person_key, property_key, date_key, geo_key, views, engaged_total, engaged_views)
            SELECT person_key, property_key, date_key, geo_key, COUNT(*), SUM(engaged_seconds), COUNT(engaged_seconds)
            FROM fact_page_view GROUP BY person_key, property_key, date_key, geo_key
            """)
    }

    static func referrals(where condition: String) -> String {
        """
        SELECT date_key, content_key, referrer_key, MIN(viewed_at), COUNT(*)
        FROM fact_page_view \(condition)
        GROUP BY date_key, content_key, referrer_key
        """
    }

    /// Recomputes the referral summary of some days (after page views were deleted).
    /// fact_page_view has no index on date_key, so each statement scans the table: the
    /// days go in together (as an integer list), one scan for all of them rather than
    /// one per day — a file repeating rows across a year of days would otherwise scan a
    /// large table hundreds of times.
    static func rebuildReferrals(_ db: SQLConnection, days: [Int]) throws {
        let chunkSize = 1000  // keeps the statement short however many days there are
        for start in stride(from: 0, to: days.count, by: chunkSize) {
            let list = days[start..<min(start + chunkSize, days.count)].map(String.init).joined(separator: ", ")
            try db.execute("DELETE FROM agg_page_view_referral WHERE date_key IN (\(list))")
            try db.execute("INSERT INTO agg_page_view_referral (date_key, content_key, referrer_key, first_viewed_at, views) "
                           + referrals(where: "WHERE date_key IN (\(list))"))
        }
    }

    /// Subtracts counted rows (key columns, then counts, all integers) from a summary.
    /// Read first and applied as literal rows, 500 to a statement: Citus cannot update a
    /// reference table (the summaries) from a query of a distributed one (the facts).
    private static func subtract(_ db: SQLConnection, _ rows: [[SQLValue]], from table: String, keys: [String], counts: [String]) throws {
        let columns = keys + counts
        for start in stride(from: 0, to: rows.count, by: 500) {
            let values = rows[start..<min(start + 500, rows.count)]
                .map { row in "(" + row.map { String($0.int64 ?? 0) }.joined(separator: ", ") + ")" }.joined(separator: ", ")
            try db.execute("""
                WITH gone (\(columns.map { "gone_" + $0 }.joined(separator: ", "))) AS (VALUES \(values))
                UPDATE \(table)
                SET \(counts.map { "\($0) = \($0) - gone.gone_\($0)" }.joined(separator: ", "))
                FROM gone
                WHERE \(keys.map { "\(table).\($0) = gone.gone_\($0)" }.joined(separator: " AND "))
                """)
        }
    }

    /// Takes the sessions chosen by `condition` out of the session summary; call before
    /// deleting them.
    static func subtractSessions(_ db: SQLConnection, where condition: String, arguments: [String: SQLValue] = [:]) throws {
        let gone = try db.rows("""
            SELECT date_key, property_key, referrer_key, COUNT(*), SUM(CASE WHEN page_count = 1 THEN 1 ELSE 0 END)
            FROM fact_session WHERE \(condition)
            GROUP BY date_key, property_key, referrer_key
            """, arguments)
        try subtract(db, gone, from: "agg_session_start", keys: ["date_key", "property_key", "referrer_key"],
                     counts: ["sessions", "bounces"])
        try db.execute("DELETE FROM agg_session_start WHERE sessions = 0")
    }
}

/// Page views per day, content and referrer, counted in memory while a file loads and
/// added to agg_page_view_referral in the file's transaction. Bounded: past `limit`
/// distinct keys it is written out early.
final class ReferralTally {
    /// first: the earliest view; second: the number of views.
    private var counts = TripleKeyCounters()
    private let upsert: SQLiteStatement
    private let limit = 100_000

    init(connection: OpaquePointer) throws {
        upsert = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO agg_page_view_referral (date_key, content_key, referrer_key, first_viewed_at, views)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (date_key, content_key, referrer_key) DO UPDATE
            SET first_viewed_at = MIN(first_viewed_at, excluded.first_viewed_at), views = views + excluded.views
            """)
    }

    func add(date: Int, content: Int64, referrer: Int64, at time: Int64) throws {
        counts.countView(date: Int64(date), content: content, referrer: referrer, at: time)
        if counts.count >= limit { try flush() }
    }

    func flush() throws {
        try add(counted: counts.sortedEntries())
        counts.removeAll()
    }

    func discard() { counts.removeAll() }

    /// Adds counts made elsewhere (the sessionizer's cutter, for a first load).
    func add(counted entries: [TripleKeyCounters.Entry]) throws {
        try TripleKeyCounters.write(entries, with: upsert)
    }
}

/// Sessions per start day, property and referrer, counted while the sessionizer writes
/// them and added to agg_session_start.
final class SessionTally {
    /// first: sessions; second: bounces (sessions of one page view).
    private var counts = TripleKeyCounters()
    private let upsert: SQLiteStatement

    init(connection: OpaquePointer) throws {
        upsert = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO agg_session_start (date_key, property_key, referrer_key, sessions, bounces)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (date_key, property_key, referrer_key) DO UPDATE
            SET sessions = sessions + excluded.sessions, bounces = bounces + excluded.bounces
            """)
    }

    /// Written out past this many keys (a long tail of referrers makes hundreds of
    /// thousands over a year), so memory stays bounded however many there are.
    private static let limit = 50_000

    /// The days a stored session was taken out of: the only ones where a row can reach 0.
    private(set) var takenFrom = Set<Int64>()

    /// `count` -1 takes a stored session out (StoredSessions).
    func add(date: Int64, property: Int64, referrer: Int64, pages: Int64, count: Int64 = 1) throws {
        if count < 0 { takenFrom.insert(date) }
        counts.update(date, property, referrer, initial: (0, 0)) { entry in
            entry.first += count
            if pages == 1 { entry.second += count }
        }
        if counts.count >= Self.limit { try flush() }
    }

    func flush() throws {
        try TripleKeyCounters.write(counts.sortedEntries(), with: upsert)
        counts.removeAll()
    }
}

/// Visits per day, referrer, landing page and goals reached, counted while the
/// sessionizer writes them and added to agg_visit_start in key order.
final class VisitTally {
    struct Key: Hashable, Comparable {
        let date, referrer, landing, goals: Int64
        static func < (a: Key, b: Key) -> Bool {
            (a.date, a.referrer, a.landing, a.goals) < (b.date, b.referrer, b.landing, b.goals)
        }
    }
    private var counts: [Key: Int64] = [:]
    private let upsert: SQLiteStatement
    /// Written out past this many keys, so memory stays bounded however many there are.
    private static let limit = 50_000

    init(connection: OpaquePointer) throws {
        upsert = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO agg_visit_start (date_key, referrer_key, landing_content_key, goal_mask, visits)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (date_key, referrer_key, landing_content_key, goal_mask) DO UPDATE
            SET visits = visits + excluded.visits
            """)
    }

    /// The days a stored visit was taken out of: the only ones where a row can reach 0.
    private(set) var takenFrom = Set<Int64>()

    /// `count` -1 takes a stored visit out (StoredSessions).
    func add(_ visit: VisitMerger.Visit, count: Int64 = 1) throws {
        if count < 0 { takenFrom.insert(visit.dateKey) }
        counts[Key(date: visit.dateKey, referrer: visit.referrer, landing: visit.landing, goals: visit.goals), default: 0] += count
        if counts.count >= Self.limit { try flush() }
    }

    func flush() throws {
        for key in counts.keys.sorted() {
            upsert.bind(1, key.date); upsert.bind(2, key.referrer); upsert.bind(3, key.landing); upsert.bind(4, key.goals)
            upsert.bind(5, counts[key]!)
            try upsert.execute()
        }
        counts.removeAll(keepingCapacity: true)
    }
}

/// Page views per visitor, property, day and place, counted while the sessionizer walks
/// each visitor's views in time order: a visitor's day is complete when the next row is
/// another visitor, property or day; its rows come out in key order (so they append).
struct VisitorDayCounter {
    struct Row: Sendable {
        let person, property, date, geo, views: Int64
        let engagedTotal: Double?
        let engagedViews: Int64
    }

    private var current: (person: Int64, property: Int64, date: Int64)?
    /// The day's places so far. A visitor's day almost always has one or two, so a
    /// linear scan beats hashing each page view's place (it runs once per page view).
    private var places: [(geo: Int64, views: Int64, engagedTotal: Double?, engagedViews: Int64)] = []

    /// Counts one page view; appends the rows of a day it completes to `finished`.
    mutating func add(person: Int64, property: Int64, date: Int64, geo: Int64, engaged: Double?, into finished: inout [Row]) {
        if let current, current != (person, property, date) { finish(into: &finished) }
        current = (person, property, date)
        var index = 0
        while index < places.count && places[index].geo != geo { index += 1 }
        if index == places.count { places.append((geo, 0, nil, 0)) }
        places[index].views += 1
        if let engaged {
            places[index].engagedTotal = (places[index].engagedTotal ?? 0) + engaged
            places[index].engagedViews += 1
        }
    }

    /// Ends the day being counted; call after the last `add` too.
    mutating func finish(into finished: inout [Row]) {
        guard let current else { return }
        if places.count > 1 { places.sort { $0.geo < $1.geo } }
        for place in places {
            finished.append(Row(person: current.person, property: current.property, date: current.date, geo: place.geo,
                                views: place.views, engagedTotal: place.engagedTotal, engagedViews: place.engagedViews))
        }
        places.removeAll(keepingCapacity: true)
        self.current = nil
    }
}

extension TripleKeyCounters {
    /// Counts one page view in a referral summary's terms (agg_page_view_referral):
    /// keyed by day, content and referrer; `first` the earliest view, `second` the views.
    /// The loader's ReferralTally and the sessionizer's cutter count the same way.
    mutating func countView(date: Int64, content: Int64, referrer: Int64, at time: Int64) {
        update(date, content, referrer, initial: (time, 0)) { entry in
            entry.first = min(entry.first, time)
            entry.second += 1
        }
    }

    /// Writes entries through an upsert whose five parameters are the three keys and
    /// the two counters, in that order (the summaries' statements).
    static func write(_ entries: [Entry], with upsert: SQLiteStatement) throws {
        for entry in entries {
            upsert.bind(1, entry.a); upsert.bind(2, entry.b); upsert.bind(3, entry.c)
            upsert.bind(4, entry.first); upsert.bind(5, entry.second)
            _ = try upsert.execute()
        }
    }
}
