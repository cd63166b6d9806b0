import FootprintConfig
import FootprintNormalize

/// The right to erasure: removes everything one visitor or group member left behind.
public struct ForgetResult: Codable, Equatable, Sendable {
    public var pageViews = 0
    public var sessions = 0
    public var groupActivities = 0
    public var subscriptions = 0
    public var rejectedRows = 0
    public var found: Bool { pageViews + sessions + groupActivities + subscriptions + rejectedRows > 0 }
}

public enum PersonRole: String, Sendable { case visitor, actor }

extension WarehouseEngine {
    /// Deletes the person's facts and their dimension row, and rejected rows whose raw
    /// text holds the id, in one transaction that overwrites what it deletes where the
    /// engine can (`erasing`). Derived facts are brought up to date afterwards.
    public func forget(rawID: String, role: PersonRole, config: FootprintConfig) throws -> ForgetResult {
        let person = SQLValue.integer(PersonHasher(key: try hashKey(configured: config.hashKey)).person(rawID).key)
        let key: [String: SQLValue] = ["person": person]
        var result = ForgetResult()
        try erasing { db in
            switch role {
            case .visitor:
                // Their days first (on SQLite one pass over the page views' index by day),
                // then everything of theirs by day and person: page views, sessions and
                // visits are indexed by day there (migration v19), and a session or visit
                // starts on a day of one of its page views.
                let days = try db.rows("SELECT DISTINCT date_key FROM fact_page_view WHERE person_key = :person", key)
                    .compactMap { $0[0].int64.map { Int($0) } }
                let onTheirDays = "person_key = :person AND date_key IN (\(days.isEmpty ? "NULL" : days.map(String.init).joined(separator: ", ")))"
                result.pageViews = try db.changes("DELETE FROM fact_page_view WHERE " + onTheirDays, key)
                try Summaries.rebuildReferrals(db, days: days)
                try db.execute("DELETE FROM agg_visitor_day WHERE " + onTheirDays, key)
                try Summaries.subtractSessions(db, where: onTheirDays, arguments: key)
                result.sessions = try db.changes("DELETE FROM fact_session WHERE " + onTheirDays, key)
                try Summaries.subtractVisits(db, where: onTheirDays, arguments: key)
                try db.execute("DELETE FROM fact_visit WHERE " + onTheirDays, key)
                try db.execute("DELETE FROM agg_topic_visitor_day WHERE " + onTheirDays, key)
                if db.engine == .sqlite { try db.execute("DELETE FROM agg_visitor_property WHERE person_key = :person", key) }
            case .actor:
                let activities = "SELECT activity_key FROM fact_group_activity WHERE person_key = :person"
                try db.execute("DELETE FROM fact_brand_mention WHERE activity_key IN (\(activities))", key)
                try db.execute("DELETE FROM fact_term_mention WHERE activity_key IN (\(activities))", key)
                try db.execute("DELETE FROM fact_topic_mention WHERE activity_key IN (\(activities))", key)
                // Replies to the person's posts stay (they are other people's), now as
                // the start of their own chain.
                try db.execute("UPDATE fact_group_activity SET parent_activity_key = NULL, parent_person_key = NULL WHERE parent_activity_key IN (\(activities))", key)
                result.groupActivities = try db.changes("DELETE FROM fact_group_activity WHERE person_key = :person", key)
                try Meta.set(db, "cascades_stale", "all")
                // The same address as a subscriber is the same person (an e-mail is
                // normalised before hashing), and a kept handle goes with them.
                try db.execute("""
                    INSERT INTO pending_subscribers (list, person_key)
                    SELECT DISTINCT list, person_key FROM fact_subscription WHERE person_key = :person
                    ON CONFLICT (list, person_key) DO NOTHING
                    """, key)
                result.subscriptions = try db.changes("DELETE FROM fact_subscription WHERE person_key = :person", key)
                // In this transaction, which overwrites what it deletes: the summary
                // rows of their subscriptions go too.
                try Summaries.refreshSubscribers(db)
                try db.execute("DELETE FROM dim_actor_handle WHERE person_key = :person", key)
            }
            // A visitor's page views are all gone (their days were all of them).
            let pageViews = role == .visitor ? "" : "EXISTS (SELECT 1 FROM fact_page_view WHERE person_key = :person) OR"
            let stillUsed = try db.value("""
                SELECT 1 WHERE \(pageViews) EXISTS (SELECT 1 FROM fact_group_activity WHERE person_key = :person)
                    OR EXISTS (SELECT 1 FROM fact_subscription WHERE person_key = :person)
                """, key) != .null
            if !stillUsed { try db.execute("DELETE FROM dim_person WHERE person_key = :person", key) }
            // Cached report rows may name the person (kept handles) or count them.
            try dropReportCache(db)
            if !rawID.isEmpty {
                let contains = db.engine == .sqlite ? "instr(raw_text, :id) > 0" : "strpos(raw_text, :id) > 0"
                result.rejectedRows = try db.changes("DELETE FROM load_rejects WHERE \(contains)", ["id": .text(rawID)])
            }
        }
        try refreshDerivedFacts(config: config)
        return result
    }
}
