import FootprintInput
import FootprintNormalize

/// The sessionizer on PostgreSQL: the same cutter as SQLite's (SessionCutter, VisitMerger)
/// over the page views of the visitors touched since the last pass, read once (sorted
/// here, in bounded memory) before anything is written; sessions, visits, visitor days
/// and topic visitors go back with COPY, and the start summaries are recounted in SQL
/// from what was written. The page-view referral summary is kept by the loader itself
/// (PostgresFactLoad), so the cutter does not count it.
struct PostgresSessionizer {
    let timeoutSeconds: Int64

    func rebuild(_ pg: PGConnection) throws {
        guard let work = try Sessionizer.work(pg) else { return }
        let everything = work.everything
        let touched = try Self.touched(pg)
        let (goalPages, topicPages) = try Sessionizer.definedPages(pg)
        var sorter = ExternalSorter<SessionInput>()
        try pg.forEachRow("""
            SELECT person_key, property_key, viewed_at, date_key, referrer_key, content_key, session_ref, geo_key,
                   engaged_seconds, page_view_key
            FROM fact_page_view \(everything ? "" : "WHERE " + touched)
            """, [:]) { row in
            var reference: UInt64 = 0
            if case .text(var id) = row.value(6) { reference = id.withUTF8(SessionInput.reference) }
            try sorter.append(SessionInput(
                person: row.int64(0), property: row.int64(1), viewedAt: row.int64(2), pageView: row.int64(9),
                date: row.int64(3), referrer: row.int64(4), content: row.int64(5), geo: row.int64(7),
                engaged: row.double(8) ?? .nan, reference: reference))
        }
        Trace.mark("sessionizer input read")
        let cutter = SessionCutter(timeoutSeconds: timeoutSeconds, goalPages: goalPages, topicPages: topicPages)
        defer { cutter.stop() }
        cutter.start(cutting: try sorter.sorted())

        let summaries = ["agg_session_start", "agg_visitor_day", "fact_session", "fact_visit", "agg_visit_start", "agg_topic_visitor_day"]
        if everything {
            try pg.execute("TRUNCATE " + summaries.joined(separator: ", "))
        } else {
            try Summaries.subtractSessions(pg, where: touched)
            try Summaries.subtractVisits(pg, where: touched)
            try pg.execute("""
                DELETE FROM agg_visitor_day WHERE \(Sessionizer.pendingVisitorDays(touched));
                DELETE FROM fact_session WHERE \(touched);
                DELETE FROM agg_topic_visitor_day WHERE \(Sessionizer.pendingVisitorDays(touched));
                DELETE FROM fact_visit WHERE \(touched);
                """)
        }
        let pendingDays = everything ? nil : try Sessionizer.pendingDays(pg)
        let sessions = CopyBuffer(table: "fact_session", columns: [
            "person_key", "property_key", "date_key", "started_at", "ended_at", "session_number", "page_count", "referrer_key",
            "landing_content_key"])
        let visits = CopyBuffer(table: "fact_visit", columns: [
            "person_key", "date_key", "started_at", "ended_at", "page_count", "referrer_key", "landing_content_key", "goal_mask"])
        let topicDays = CopyBuffer(table: "agg_topic_visitor_day", columns: ["date_key", "topic_key", "person_key"])
        let days = CopyBuffer(table: "agg_visitor_day", columns: [
            "person_key", "property_key", "date_key", "geo_key", "views", "engaged_total", "engaged_views"])
        var merger = VisitMerger(timeoutSeconds: timeoutSeconds)
        func writeVisit(_ v: VisitMerger.Visit) throws {
            try visits.append([v.person, v.dateKey, v.startedAt, v.endedAt, v.pages, v.referrer, v.landing, v.goals].map { .integer($0) }, to: pg)
        }
        while let batch = cutter.next() {
            for s in batch.sessions {
                try sessions.append([s.person, s.property, s.dateKey, s.startedAt, s.endedAt, s.number, s.pages, s.referrer, s.landing]
                    .map { .integer($0) }, to: pg)
                try merger.add(s, emit: writeVisit)
            }
            for seen in batch.topicDays where pendingDays?.contains(seen.date) ?? true {
                try topicDays.append([.integer(seen.date), .integer(seen.topic), .integer(seen.person)], to: pg)
            }
            for d in batch.days where pendingDays?.contains(d.date) ?? true {
                try days.append([.integer(d.person), .integer(d.property), .integer(d.date), .integer(d.geo), .integer(d.views),
                                 d.engagedTotal.map { .real($0) } ?? .null, .integer(d.engagedViews)], to: pg)
            }
        }
        try cutter.rethrow()
        try merger.finish(emit: writeVisit)
        for buffer in [sessions, visits, topicDays, days] { try buffer.flush(to: pg) }
        Trace.mark("sessions, visits and visitor days copied")
        // The start summaries of the sessions and visits just written.
        let written = everything ? "" : "WHERE " + touched
        try pg.execute("""
            INSERT INTO agg_session_start AS a (date_key, property_key, referrer_key, sessions, bounces)
            SELECT date_key, property_key, referrer_key, COUNT(*), SUM(CASE WHEN page_count = 1 THEN 1 ELSE 0 END)
            FROM fact_session \(written) GROUP BY date_key, property_key, referrer_key
            ON CONFLICT (date_key, property_key, referrer_key) DO UPDATE
            SET sessions = a.sessions + excluded.sessions, bounces = a.bounces + excluded.bounces;
            INSERT INTO agg_visit_start AS a (date_key, referrer_key, landing_content_key, goal_mask, visits)
            SELECT date_key, referrer_key, landing_content_key, goal_mask, COUNT(*)
            FROM fact_visit \(written) GROUP BY date_key, referrer_key, landing_content_key, goal_mask
            ON CONFLICT (date_key, referrer_key, landing_content_key, goal_mask) DO UPDATE SET visits = a.visits + excluded.visits;
            DELETE FROM pending_sessions;
            DELETE FROM pending_days;
            """)
        // This pass cut every touched visitor's whole history, as a reload's mark asks.
        try Meta.remove(pg, Sessionizer.firstLoadMark)
        try Meta.remove(pg, Sessionizer.fromStartMark)
        Trace.mark("start summaries counted")
    }

    /// The rows of the visitors touched since the last pass. On one server, as an array
    /// the planner cannot size: told the list's length (a few thousand of a night), it
    /// judged a scan of every page view, session and visitor day cheaper than that many
    /// look-ups through the indexes by person, and scanned them all (2 million page views
    /// of history: 1.0 s of a 3.5 s night, against 0.1 s by index). On Citus the
    /// visitors' list is distributed with the facts by person, and the IN joins it shard
    /// by shard on the workers.
    static func touched(_ pg: PGConnection) throws -> String {
        try CitusDistribution.isDistributed(pg)
            ? "person_key IN (SELECT person_key FROM pending_sessions)"
            : "person_key = ANY (ARRAY (SELECT person_key FROM pending_sessions))"
    }
}
