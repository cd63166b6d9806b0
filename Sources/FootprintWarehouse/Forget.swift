import FootprintConfig
import FootprintNormalize
import GRDB

/// The right to erasure: removes everything one visitor or group member left behind.
public struct ForgetResult: Codable, Equatable, Sendable {
    public var pageViews = 0
    public var sessions = 0
    public var groupActivities = 0
    public var subscriptions = 0
    public var rejectedRows = 0
    public var found: Bool { pageViews + sessions + groupActivities + subscriptions + rejectedRows > 0 }
}

extension Warehouse {
    public enum PersonRole: String, Sendable { case visitor, actor }

    /// Deletes the person's facts and their dimension row, and rejected rows whose raw
    /// text holds the id. Deleted pages are overwritten (secure_delete), so the data does
    /// not linger in free space. Derived facts are brought up to date afterwards.
    public func forget(rawID: String, role: PersonRole, config: FootprintConfig) throws -> ForgetResult {
        let key = PersonHasher(key: try hashKey(configured: config.hashKey)).person(rawID).key
        var result = ForgetResult()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
            try db.inTransaction {
                switch role {
                case .visitor:
                    let days = try Int.fetchAll(db, sql: "SELECT DISTINCT date_key FROM fact_page_view WHERE person_key = ?", arguments: [key])
                    try db.execute(sql: "DELETE FROM fact_page_view WHERE person_key = ?", arguments: [key])
                    result.pageViews = db.changesCount
                    try Summaries.rebuildReferrals(db, days: days)
                    try db.execute(sql: "DELETE FROM agg_visitor_day WHERE person_key = ?", arguments: [key])
                    try Summaries.subtractSessions(db, where: "person_key = ?", arguments: [key])
                    try db.execute(sql: "DELETE FROM fact_session WHERE person_key = ?", arguments: [key])
                    result.sessions = db.changesCount
                    try Summaries.subtractVisits(db, where: "person_key = ?", arguments: [key])
                    try db.execute(sql: "DELETE FROM fact_visit WHERE person_key = ?", arguments: [key])
                    try db.execute(sql: "DELETE FROM agg_topic_visitor_day WHERE person_key = ?", arguments: [key])
                case .actor:
                    let activities = "SELECT activity_key FROM fact_group_activity WHERE person_key = ?"
                    try db.execute(sql: "DELETE FROM fact_brand_mention WHERE activity_key IN (\(activities))", arguments: [key])
                    try db.execute(sql: "DELETE FROM fact_term_mention WHERE activity_key IN (\(activities))", arguments: [key])
                    try db.execute(sql: "DELETE FROM fact_topic_mention WHERE activity_key IN (\(activities))", arguments: [key])
                    // Replies to the person's posts stay (they are other people's), now as
                    // the start of their own chain.
                    try db.execute(sql: "UPDATE fact_group_activity SET parent_activity_key = NULL, parent_person_key = NULL WHERE parent_activity_key IN (\(activities))", arguments: [key])
                    try db.execute(sql: "DELETE FROM fact_group_activity WHERE person_key = ?", arguments: [key])
                    result.groupActivities = db.changesCount
                    try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('cascades_stale', 'all')")
                    // The same address as a subscriber is the same person (an e-mail is
                    // normalised before hashing), and a kept handle goes with them.
                    try db.execute(sql: "DELETE FROM fact_subscription WHERE person_key = ?", arguments: [key])
                    result.subscriptions = db.changesCount
                    try db.execute(sql: "DELETE FROM dim_actor_handle WHERE person_key = ?", arguments: [key])
                }
                let stillUsed = try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (SELECT 1 FROM fact_page_view WHERE person_key = ?1)
                        OR EXISTS (SELECT 1 FROM fact_group_activity WHERE person_key = ?1)
                        OR EXISTS (SELECT 1 FROM fact_subscription WHERE person_key = ?1)
                    """, arguments: [key]) ?? false
                if !stillUsed { try db.execute(sql: "DELETE FROM dim_person WHERE person_key = ?", arguments: [key]) }
                // Cached report rows may name the person (kept handles) or count them.
                try Warehouse.dropReportCache(db)
                if !rawID.isEmpty {
                    try db.execute(sql: "DELETE FROM load_rejects WHERE instr(raw_text, ?) > 0", arguments: [rawID])
                    result.rejectedRows = db.changesCount
                }
                return .commit
            }
        }
        try refreshDerivedFacts(config: config)
        try checkpointErasure()
        return result
    }
}
