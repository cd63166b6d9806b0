import GRDB

/// The summary tables (migrations v5 and v7) and how they stay equal to what their fact
/// tables say. The loader adds each file's new page views through a `ReferralTally`; the
/// sessionizer subtracts the sessions it is about to rebuild and adds the new ones
/// through a `SessionTally`, and rewrites the visitor days of the visitors it re-cuts
/// through a `VisitorDayCounter`; a change of time zone or an erasure recomputes what it
/// touched. Tests compare the incremental result with `rebuild`.
enum Summaries {
    /// Recomputes every summary from the fact tables.
    static func rebuild(_ db: Database) throws {
        try rebuildReferralsAndSessionStarts(db)
        try rebuildVisitorDays(db)
    }

    /// The two summaries of migration v5 (a migration must not touch later tables).
    static func rebuildReferralsAndSessionStarts(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM agg_page_view_referral")
        try db.execute(sql: "INSERT INTO agg_page_view_referral " + referrals(where: ""))
        try db.execute(sql: "DELETE FROM agg_session_start")
        try db.execute(sql: """
            INSERT INTO agg_session_start
            SELECT date_key, property_key, referrer_key, COUNT(*), SUM(page_count = 1)
            FROM fact_session GROUP BY date_key, property_key, referrer_key
            """)
    }

    /// Recomputes the visitor-day summary from the page views.
    static func rebuildVisitorDays(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM agg_visitor_day")
        try db.execute(sql: """
            INSERT INTO agg_visitor_day
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
    static func rebuildReferrals(_ db: Database, days: [Int]) throws {
        let chunkSize = 1000  // keeps the statement short however many days there are
        for start in stride(from: 0, to: days.count, by: chunkSize) {
            let list = days[start..<min(start + chunkSize, days.count)].map(String.init).joined(separator: ", ")
            try db.execute(sql: "DELETE FROM agg_page_view_referral WHERE date_key IN (\(list))")
            try db.execute(sql: "INSERT INTO agg_page_view_referral " + referrals(where: "WHERE date_key IN (\(list))"))
        }
    }

    /// Takes the sessions chosen by `condition` out of the session summary; call before
    /// deleting them.
    static func subtractSessions(_ db: Database, where condition: String, arguments: StatementArguments = []) throws {
        try db.execute(sql: """
            UPDATE agg_session_start
            SET sessions = sessions - gone.gone_sessions, bounces = bounces - gone.gone_bounces
            FROM (SELECT date_key, property_key, referrer_key, COUNT(*) AS gone_sessions, SUM(page_count = 1) AS gone_bounces
                  FROM fact_session WHERE \(condition)
                  GROUP BY date_key, property_key, referrer_key) AS gone
            WHERE agg_session_start.date_key = gone.date_key AND agg_session_start.property_key = gone.property_key
              AND agg_session_start.referrer_key = gone.referrer_key
            """, arguments: arguments)
        try db.execute(sql: "DELETE FROM agg_session_start WHERE sessions = 0")
    }
}

/// Page views per day, content and referrer, counted in memory while a file loads and
/// added to agg_page_view_referral in the file's transaction. Bounded: past `limit`
/// distinct keys it is written out early.
final class ReferralTally {
    private struct Key: Hashable { let date: Int; let content: Int64; let referrer: Int64 }
    private var counts: [Key: (first: Int64, views: Int64)] = [:]
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
        // Updated in place: one hash look-up per page view instead of a read and a write.
        func count(_ entry: inout (first: Int64, views: Int64)) {
            entry.first = min(entry.first, time)
            entry.views += 1
        }
        count(&counts[Key(date: date, content: content, referrer: referrer), default: (time, 0)])
        if counts.count >= limit { try flush() }
    }

    func flush() throws {
        for (key, value) in counts.sorted(by: { ($0.key.date, $0.key.content, $0.key.referrer) < ($1.key.date, $1.key.content, $1.key.referrer) }) {
            upsert.bind(1, key.date); upsert.bind(2, key.content); upsert.bind(3, key.referrer)
            upsert.bind(4, value.first); upsert.bind(5, value.views)
            _ = try upsert.execute()
        }
        counts.removeAll(keepingCapacity: true)
    }

    func discard() { counts.removeAll() }
}

/// Sessions per start day, property and referrer, counted while the sessionizer writes
/// them and added to agg_session_start.
final class SessionTally {
    private struct Key: Hashable { let date: Int64; let property: Int64; let referrer: Int64 }
    private var counts: [Key: (sessions: Int64, bounces: Int64)] = [:]
    private let upsert: SQLiteStatement

    init(connection: OpaquePointer) throws {
        upsert = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO agg_session_start (date_key, property_key, referrer_key, sessions, bounces)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (date_key, property_key, referrer_key) DO UPDATE
            SET sessions = sessions + excluded.sessions, bounces = bounces + excluded.bounces
            """)
    }

    func add(date: Int64, property: Int64, referrer: Int64, pages: Int64) {
        func count(_ entry: inout (sessions: Int64, bounces: Int64)) {
            entry.sessions += 1
            if pages == 1 { entry.bounces += 1 }
        }
        count(&counts[Key(date: date, property: property, referrer: referrer), default: (0, 0)])
    }

    func flush() throws {
        for (key, value) in counts.sorted(by: { ($0.key.date, $0.key.property, $0.key.referrer) < ($1.key.date, $1.key.property, $1.key.referrer) }) {
            upsert.bind(1, key.date); upsert.bind(2, key.property); upsert.bind(3, key.referrer)
            upsert.bind(4, value.sessions); upsert.bind(5, value.bounces)
            _ = try upsert.execute()
        }
        counts.removeAll()
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
    private var byPlace: [Int64: (views: Int64, engagedTotal: Double?, engagedViews: Int64)] = [:]

    /// Counts one page view; appends the rows of a day it completes to `finished`.
    mutating func add(person: Int64, property: Int64, date: Int64, geo: Int64, engaged: Double?, into finished: inout [Row]) {
        if let current, current != (person, property, date) { finish(into: &finished) }
        current = (person, property, date)
        var counts = byPlace[geo] ?? (0, nil, 0)
        counts.views += 1
        if let engaged {
            counts.engagedTotal = (counts.engagedTotal ?? 0) + engaged
            counts.engagedViews += 1
        }
        byPlace[geo] = counts
    }

    /// Ends the day being counted; call after the last `add` too.
    mutating func finish(into finished: inout [Row]) {
        guard let current else { return }
        for (geo, counts) in byPlace.sorted(by: { $0.key < $1.key }) {
            finished.append(Row(person: current.person, property: current.property, date: current.date, geo: geo,
                                views: counts.views, engagedTotal: counts.engagedTotal, engagedViews: counts.engagedViews))
        }
        byPlace.removeAll(keepingCapacity: true)
        self.current = nil
    }
}
