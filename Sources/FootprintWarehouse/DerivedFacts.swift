import FootprintConfig
import FootprintInput
import FootprintNormalize
import GRDB

/// Facts that need row-by-row or recursive logic are computed once here, after loading,
/// and stored, so that report SQL only aggregates (and stays portable to other engines).
extension Warehouse {
    /// Brings derived columns up to date: sessions of the visitors touched by recent
    /// loads, reply-chain depths of group threads, brand mentions, and short links shared in groups
    /// resolved to their targets. Safe to run any number of times.
    public func refreshDerivedFacts(config: FootprintConfig) throws {
        defer { if restoreWALAfterDerivedFacts { queue.inDatabase(restoreWALIfKeptForDerivedFacts) } }
        let hasher = PersonHasher(key: try hashKey(configured: config.hashKey))
        let erased = try queue.write { db in
            let connection = try SQLiteConnection(db)
            try DerivedFacts.resolveSharedShortLinks(connection)
            Trace.mark("short links resolved")
            // Definitions first: the sessionizer marks which goals each visit reached.
            let erased = try Definitions.refresh(connection, config: config, hasher: hasher)
            Trace.mark("definitions refreshed")
            try Sessionizer(timeoutSeconds: Int64(config.sessionTimeoutMinutes * 60)).rebuild(db, warehouse: self)
            Trace.mark("sessions cut")
            try DerivedFacts.recomputeCascadesIfStale(connection)
            Trace.mark("thread cascades")
            try Summaries.refreshSubscribers(connection)
            Trace.mark("subscribers counted")
            return erased
        }
        Trace.mark("derived facts committed")
        if erased { try checkpointErasure() }
    }

    /// Copies every committed page into the database file and empties the WAL: after an
    /// erasure, the WAL and the file's older page versions would still hold what was
    /// erased (secure_delete overwrites only the current page).
    func checkpointErasure() throws {
        try queue.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}

/// The derived facts written in SQL, on any engine: thread depths and roots, short
/// links shared in groups resolved to their targets.
enum DerivedFacts {
    /// Walks the threads again when a load marked them stale (`cascades_stale`).
    static func recomputeCascadesIfStale(_ db: SQLConnection) throws {
        if let stale = try Meta.get(db, "cascades_stale") {
            try recomputeCascades(db, onlyNew: stale == "new")
            try Meta.remove(db, "cascades_stale")
        }
    }

    /// Depth of every group activity in its thread: a post is 0; a comment, reply or
    /// share one more than what it answers; likes, views and joins are reactions and
    /// take their parent's depth without extending the chain. An activity whose parent
    /// has not been loaded starts its own chain at depth 1.
    ///
    /// `onlyNew`: only rows were added since the last pass, which covered the activities
    /// up to `cascades_through`; then only the threads holding a new activity are walked
    /// (an old reply whose post arrives now is in that post's thread). After a removal,
    /// every thread is.
    private static func recomputeCascades(_ db: SQLConnection, onlyNew: Bool) throws {
        // The rows awaiting a parent get its key and its author's in one pass: as two
        // UPDATEs every linked row was written twice, which on PostgreSQL is a new row
        // version and an entry in every index each time (a first load of 108,000
        // activities: 2.8 s and 2.1 s). Through the partial index of migration v14 (the
        // other one, for a missing author, is left empty since): SQLite, without
        // statistics, took the index by parent for "parent_activity_key IS NULL" and
        // walked every post instead. PostgreSQL picks the partial index by itself.
        let awaiting = db.engine == .sqlite ? "fact_group_activity INDEXED BY fact_group_activity_parent_unresolved" : "fact_group_activity"
        try updateMarkingReportsStale(db, sql: """
            UPDATE \(awaiting)
            SET (parent_activity_key, parent_person_key) = (
                SELECT p.activity_key, p.person_key FROM fact_group_activity AS p
                WHERE p.source_hash >= fact_group_activity.parent_source_hash
                  AND p.source_hash < fact_group_activity.parent_source_hash + 8
                  AND p.source_id = fact_group_activity.parent_source_id
                LIMIT 1)
            WHERE parent_source_id IS NOT NULL AND parent_activity_key IS NULL
            RETURNING CASE WHEN parent_activity_key IS NOT NULL THEN date_key END
            """)
        let through = onlyNew ? try Meta.get(db, "cascades_through").flatMap { Int64($0) } : nil
        try joiningByIndex(db, when: through != nil) { try updateMarkingReportsStale(db, sql: walk(after: through)) }
        try Meta.set(db, "cascades_through", String(try db.value("SELECT COALESCE(MAX(activity_key), 0) FROM fact_group_activity").int64 ?? 0))
    }

    /// The walk down the threads, setting each activity's root and depth: every thread,
    /// or (`after` the last activity walked) the threads holding a newer activity.
    static func walk(after through: Int64?) -> String {
        // The roots to walk down from: every thread's, or those of the new activities'
        // threads (found by walking up; UNION stops at a reply cycle).
        let roots = through == nil ? "SELECT activity_key FROM fact_group_activity WHERE parent_activity_key IS NULL" : """
            SELECT activity_key FROM up WHERE parent_key IS NULL
            """
        let up = through.map { through in """
            up (activity_key, parent_key) AS (
                SELECT activity_key, parent_activity_key FROM fact_group_activity WHERE activity_key > \(through)
                UNION
                SELECT p.activity_key, p.parent_activity_key
                FROM fact_group_activity AS p JOIN up ON p.activity_key = up.parent_key
            ),
            """ } ?? ""
        return """
            WITH RECURSIVE \(up) chain (activity_key, root_key, depth) AS (
                SELECT activity_key, activity_key,
                       CASE WHEN parent_source_id IS NULL OR action IN ('like', 'view', 'join') THEN 0 ELSE 1 END
                FROM fact_group_activity
                WHERE activity_key IN (\(roots))
                UNION ALL
                SELECT child.activity_key, chain.root_key,
                       chain.depth + CASE WHEN child.action IN ('like', 'view', 'join') THEN 0 ELSE 1 END
                FROM fact_group_activity AS child
                JOIN chain ON child.parent_activity_key = chain.activity_key
            )
            UPDATE fact_group_activity
            SET thread_root_key = chain.root_key, depth = chain.depth
            FROM chain
            WHERE fact_group_activity.activity_key = chain.activity_key
              AND (fact_group_activity.thread_root_key IS DISTINCT FROM chain.root_key
                   OR fact_group_activity.depth IS DISTINCT FROM chain.depth)
            RETURNING fact_group_activity.date_key
            """
    }

    /// Runs `body` with PostgreSQL's planner joining row by row through indexes when
    /// `when` holds (SQLite always does). A night's walk reaches a few hundred threads,
    /// but the planner sizes a recursive step at ten times its start and hashed every
    /// group activity for each step (2,000,000 page views of history, 108,000
    /// activities: 0.16 s a night; by index 0.008 s). A walk of every thread keeps the
    /// hash joins. The settings are undone before the transaction goes on.
    static func joiningByIndex(_ db: SQLConnection, when: Bool, _ body: () throws -> Void) throws {
        guard when, db.engine == .postgresql else { return try body() }
        try db.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
        try body()
        try db.execute("RESET enable_hashjoin; RESET enable_mergejoin")
    }

    /// Runs an UPDATE that returns the date key of each row it changed (NULL for rows it
    /// left as they were): cached report periods from the earliest are stale.
    private static func updateMarkingReportsStale(_ db: SQLConnection, sql: String) throws {
        var earliest: Int?
        try db.forEachRow(sql, [:]) { row in
            if let day = row.value(0).int64.map({ Int($0) }) { earliest = min(earliest ?? day, day) }
        }
        if let earliest { try markReportsStale(db, from: earliest) }
    }

    /// A short link shared in a group counts for the item it points to. A short link's
    /// target is set when the link is first seen and never changes, so a pass looks at
    /// the activities loaded since the last one, and at all of them only when a short
    /// link is new (an activity may have shared it before any click export named it):
    /// most nights, not every activity of the history (2,000,000 page views: 34 ms on
    /// PostgreSQL).
    static func resolveSharedShortLinks(_ db: SQLConnection) throws {
        let activitiesThrough = Int64(try Meta.get(db, "short_links_through_activity") ?? "0") ?? 0
        let linksThrough = Int64(try Meta.get(db, "short_links_through_link") ?? "0") ?? 0
        let lastLink = try db.value("SELECT COALESCE(MAX(short_link_key), 0) FROM dim_short_link").int64 ?? 0
        let lastActivity = try db.value("SELECT COALESCE(MAX(activity_key), 0) FROM fact_group_activity").int64 ?? 0
        let since = lastLink > linksThrough ? 0 : activitiesThrough
        try updateMarkingReportsStale(db, sql: """
            UPDATE fact_group_activity
            SET content_key = (SELECT s.target_content_key FROM dim_short_link AS s
                               JOIN dim_content AS c ON c.url = s.short_url
                               WHERE c.content_key = fact_group_activity.content_key)
            WHERE activity_key > \(since)
              AND content_key IN (SELECT c.content_key FROM dim_content AS c JOIN dim_short_link AS s ON s.short_url = c.url)
            RETURNING date_key
            """)
        try Meta.set(db, "short_links_through_activity", String(lastActivity))
        try Meta.set(db, "short_links_through_link", String(lastLink))
    }

}

extension Warehouse {
    /// Date keys are local days in the configured zone; when the zone changes, every
    /// fact's date key is recomputed from its UTC instant.
    func rezoneIfNeeded(to zone: ZoneClock) throws {
        try queue.write { db in
            let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'timezone'")
            if stored == zone.identifier { return }
            if stored != nil {
                for (table, key, instant, column) in ZonedInstants.all {
                    let rows = try Row.fetchAll(db, sql: "SELECT \(key), \(instant) FROM \(table) WHERE \(instant) IS NOT NULL")
                    let update = try db.makeStatement(sql: "UPDATE \(table) SET \(column) = ? WHERE \(key) = ?")
                    for row in rows {
                        let date = zone.localDate(ofUTC: row[1])
                        try db.execute(sql: DateLabels.insertSQL, arguments: DateLabels.arguments(for: date))
                        try update.execute(arguments: [date.key, row[0] as Int64])
                    }
                }
                try Summaries.rebuild(db)
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('timezone', ?)", arguments: [zone.identifier])
        }
    }
}

/// The facts whose date keys are local days of a UTC instant, recomputed when the zone
/// changes: table, row key (SQLite), instant column and date key column. fact_outcome is
/// not here: its days are dates as given, not instants.
enum ZonedInstants {
    static let all = [("fact_page_view", "page_view_key", "viewed_at", "date_key"),
                      ("fact_click", "click_key", "clicked_at", "date_key"),
                      ("fact_group_activity", "activity_key", "occurred_at", "date_key"),
                      ("fact_session", "session_key", "started_at", "date_key"),
                      ("fact_visit", "visit_key", "started_at", "date_key"),
                      ("fact_subscription", "subscription_key", "subscribed_at", "date_key"),
                      ("fact_subscription", "subscription_key", "unsubscribed_at", "unsubscribed_date_key"),
                      ("fact_filtered_traffic", "rowid", "bucket_at", "date_key")]
}

/// The period labels of a day, as stored in dim_date.
enum DateLabels {
    enum Value { case int(Int), text(String) }

    static let insertSQL = """
        INSERT OR IGNORE INTO dim_date (date_key, full_date, iso_week, month, quarter, year,
            previous_day, previous_week, previous_month, previous_quarter, week_key, month_key, quarter_key)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func week(_ date: CivilDate) -> String {
        let week = date.isoWeek
        return "\(week.year)-W\(week.week < 10 ? "0" : "")\(week.week)"
    }
    static func month(_ date: CivilDate) -> String { String(date.isoString.prefix(7)) }
    static func quarter(_ date: CivilDate) -> String { "\(date.year)-Q\(date.quarter)" }

    static func values(for date: CivilDate) -> [Value] {
        let days = date.daysSinceEpoch
        let yesterday = CivilDate(daysSinceEpoch: days - 1)
        let lastWeek = CivilDate(daysSinceEpoch: days - 7)
        let monthStart = CivilDate(year: date.year, month: date.month, day: 1)!
        let lastMonth = CivilDate(daysSinceEpoch: monthStart.daysSinceEpoch - 1)
        let quarterStart = CivilDate(year: date.year, month: (date.quarter - 1) * 3 + 1, day: 1)!
        let lastQuarter = CivilDate(daysSinceEpoch: quarterStart.daysSinceEpoch - 1)
        let isoWeek = date.isoWeek
        return [.int(date.key), .text(date.isoString), .text(week(date)), .text(month(date)), .text(quarter(date)),
                .int(date.year), .text(yesterday.isoString), .text(week(lastWeek)), .text(month(lastMonth)),
                .text(quarter(lastQuarter)),
                .int(isoWeek.year * 100 + isoWeek.week), .int(date.year * 100 + date.month), .int(date.year * 10 + date.quarter)]
    }

    static func arguments(for date: CivilDate) -> StatementArguments {
        StatementArguments(values(for: date).map { value -> DatabaseValueConvertible in
            switch value {
            case .int(let number): return number
            case .text(let text): return text
            }
        })
    }
}
