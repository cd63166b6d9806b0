/// The subscriber summary (migration v17): per list and subscriber, their span
/// (agg_subscriber_span: how many subscriptions, the first day one started and ended),
/// and per list and day how many spans of one subscription start and end then
/// (agg_subscriber_day). vips.csv counts a period's subscribers from the second, and
/// those holding several subscriptions from the facts. The loader, a reload and
/// `forget` list whose subscriptions changed (pending_subscribers); the next pass takes
/// their old spans out of the day counts and puts their new ones in: a night's
/// subscribers, not everyone who ever subscribed.
extension Summaries {
    /// Recounts the spans of the pending subscribers, and their days.
    static func refreshSubscribers(_ db: SQLConnection) throws {
        let pendingCount = try db.value("SELECT COUNT(*) FROM pending_subscribers").int64 ?? 0
        guard pendingCount > 0 else { return }
        // A first load of subscriptions (no spans yet): built from the facts in one pass,
        // not recounted subscriber by subscriber (91,100 subscriptions: SQLite 0.36 s ->
        // 0.16 s, PostgreSQL 0.76 s -> 0.47 s).
        if try db.value("SELECT 1 FROM agg_subscriber_span LIMIT 1") == .null { return try rebuildSubscribers(db) }
        // A night's few by index on PostgreSQL too: its planner hashed every span and
        // subscription for each statement (2 million page views of history, 886
        // subscribers: 0.08 s a night). Many more keep the hash joins.
        try DerivedFacts.joiningByIndex(db, when: pendingCount <= 10_000) {
            try addSpanDays(db, sign: -1)
            try db.execute("DELETE FROM agg_subscriber_span AS a WHERE " + pending("a"))
            try db.execute(spans(where: pending("s")))
            try addSpanDays(db, sign: 1)
        }
        try db.execute("DELETE FROM agg_subscriber_day WHERE started = 0 AND ended = 0")
        try db.execute("DELETE FROM pending_subscribers")
    }

    /// Recomputes the subscriber summary from the subscriptions.
    static func rebuildSubscribers(_ db: SQLConnection) throws {
        try db.execute("DELETE FROM agg_subscriber_day")
        try db.execute("DELETE FROM agg_subscriber_span")
        try db.execute("DELETE FROM pending_subscribers")
        try db.execute(spans(where: "true"))
        try db.execute("""
            INSERT INTO agg_subscriber_day (list, date_key, started, ended)
            \(spanDays(where: "true", sign: 1))
            """)
    }

    /// Stores the spans of the subscriptions `s` that meet `condition`.
    private static func spans(where condition: String) -> String {
        """
        INSERT INTO agg_subscriber_span (list, person_key, subscriptions, from_day, to_day)
        SELECT s.list, s.person_key, COUNT(*), MIN(s.date_key), MIN(s.unsubscribed_date_key)
        FROM fact_subscription AS s
        WHERE \(condition)
        GROUP BY s.list, s.person_key
        """
    }

    /// Whether the row `alias` is of a pending subscriber. IN, not a join: without
    /// statistics SQLite scanned every subscription (or span) for a join and looked each
    /// up among the pending (2 million page views of history: 0.03 s each, a night); for
    /// IN it looks up the few pending pairs by index.
    private static func pending(_ alias: String) -> String {
        "(\(alias).list, \(alias).person_key) IN (SELECT list, person_key FROM pending_subscribers)"
    }

    /// Adds the pending subscribers' spans, as stored now, to the day counts (`sign` -1:
    /// takes them out).
    private static func addSpanDays(_ db: SQLConnection, sign: Int) throws {
        try db.execute("""
            INSERT INTO agg_subscriber_day (list, date_key, started, ended)
            \(spanDays(where: pending("a"), sign: sign))
            ON CONFLICT (list, date_key) DO UPDATE SET started = agg_subscriber_day.started + excluded.started,
                                                       ended = agg_subscriber_day.ended + excluded.ended
            """)
    }

    /// Per list and day, `sign` times the stored spans `a` of one subscription that meet
    /// `condition` and start, or end, that day.
    private static func spanDays(where condition: String, sign: Int) -> String {
        """
        SELECT list, date_key, SUM(started), SUM(ended)
        FROM (SELECT a.list, a.from_day AS date_key, \(sign) * COUNT(*) AS started, 0 AS ended
              FROM agg_subscriber_span AS a WHERE \(condition) AND a.subscriptions = 1 GROUP BY a.list, a.from_day
              UNION ALL
              SELECT a.list, a.to_day, 0, \(sign) * COUNT(*)
              FROM agg_subscriber_span AS a WHERE \(condition) AND a.subscriptions = 1 AND a.to_day IS NOT NULL
              GROUP BY a.list, a.to_day) AS changes
        WHERE true
        GROUP BY list, date_key
        """
    }
}
