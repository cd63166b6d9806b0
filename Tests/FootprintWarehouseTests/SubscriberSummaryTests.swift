import Foundation
import GRDB
import Testing
import FootprintConfig
import FootprintPipeline
@testable import FootprintWarehouse

/// The subscriber summary (agg_subscriber_span, agg_subscriber_day) follows every
/// change of the subscriptions a step at a time — a load, an end filled in, a duplicate,
/// an erasure, a reload, a change of zone — and equals a rebuild from the facts after
/// each; the day counts are worked out by hand.
@Suite struct SubscriberSummaryTests {
    /// agg_subscriber_day as "list day started ended" lines.
    func days(_ fx: Fixture) throws -> [String] {
        try fx.warehouse.read { db in
            try Row.fetchAll(db, sql: "SELECT list, date_key, started, ended FROM agg_subscriber_day ORDER BY list, date_key")
                .map { "\($0[0] as String) \($0[1] as Int) \($0[2] as Int) \($0[3] as Int)" }
        }
    }

    /// agg_subscriber_span as "list subscriptions from to" lines (persons are hashes).
    func spans(_ fx: Fixture) throws -> [String] {
        try fx.warehouse.read { db in
            try Row.fetchAll(db, sql: """
                SELECT list, subscriptions, from_day, COALESCE(to_day, 0) FROM agg_subscriber_span ORDER BY list, from_day, to_day
                """).map { "\($0[0] as String) \($0[1] as Int) \($0[2] as Int) \($0[3] as Int)" }
        }
    }

    /// Every span row, the subscriber's key included (the hand-counted `spans` leave it
    /// out: a span kept under the wrong subscriber would pass them).
    func spanRows(_ fx: Fixture) throws -> [Row] {
        try fx.warehouse.read { db in try Row.fetchAll(db, sql: "SELECT * FROM agg_subscriber_span ORDER BY list, person_key") }
    }

    func expectEqualToRebuild(_ fx: Fixture, _ step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let kept = (try days(fx), try spanRows(fx))
        #expect(try fx.int("SELECT COUNT(*) FROM pending_subscribers") == 0, "\(step)", sourceLocation: sourceLocation)
        try fx.warehouse.write { db in try Summaries.rebuildSubscribers(try SQLiteConnection(db)) }
        #expect(try days(fx) == kept.0, "\(step): days", sourceLocation: sourceLocation)
        #expect(try spanRows(fx) == kept.1, "\(step): spans", sourceLocation: sourceLocation)
    }

    @Test func theSummaryFollowsLoadsEndsErasureReloadAndZone() throws {
        let fx = try Fixture()
        let header = "subscriber_id,subscribed_at,unsubscribed_at,list\n"
        // a and b subscribe to rss on 10 January, b leaves on 5 February; c holds two
        // newsletter subscriptions, so c is left to the facts (counted distinct).
        let first = try fx.folder.write("subscribers_1.csv", header + """
            a@example.org,2024-01-10T10:00:00Z,,rss
            b@example.org,2024-01-10T11:00:00Z,2024-02-05T00:00:00Z,rss
            c@example.org,2024-01-12T09:00:00Z,,newsletter
            c@example.org,2024-01-20T09:00:00Z,,newsletter

            """)
        _ = try fx.ingest([first])
        #expect(try days(fx) == ["rss 20240110 2 0", "rss 20240205 0 1"])
        #expect(try spans(fx) == ["newsletter 2 20240112 0", "rss 1 20240110 0", "rss 1 20240110 20240205"])
        try expectEqualToRebuild(fx, "first file")

        // a's end filled in (1 March), d new on the newsletter, b again (a duplicate).
        let second = try fx.folder.write("subscribers_2.csv", header + """
            a@example.org,2024-01-10T10:00:00Z,2024-03-01T00:00:00Z,rss
            d@example.org,2024-02-01T00:00:00Z,,newsletter
            b@example.org,2024-01-10T11:00:00Z,2024-02-05T00:00:00Z,rss

            """)
        let loaded = try fx.ingest([second])
        #expect(loaded.files.first?.result?.loaded == 2)
        #expect(loaded.files.first?.result?.duplicate == 1)
        let afterSecond = ["newsletter 20240201 1 0", "rss 20240110 2 0", "rss 20240205 0 1", "rss 20240301 0 1"]
        #expect(try days(fx) == afterSecond)
        try expectEqualToRebuild(fx, "second file")

        // d erased: their day goes (the counts reach 0); c's two subscriptions stay.
        let forgotten = try fx.warehouse.forget(rawID: "d@example.org", role: .actor, config: fx.config)
        #expect(forgotten.subscriptions == 1)
        #expect(try days(fx) == ["rss 20240110 2 0", "rss 20240205 0 1", "rss 20240301 0 1"])
        try expectEqualToRebuild(fx, "erasure")

        // The second file read again: its own row (d) comes back; a's end, written into
        // the first file's row, stays.
        var reload = Ingest(warehouse: fx.warehouse, config: fx.config)
        reload.reload = true
        _ = try reload.run(files: [second])
        #expect(try days(fx) == afterSecond)
        try expectEqualToRebuild(fx, "reload")

        // In Los Angeles the ends at midnight UTC fall on the day before, and so does d's
        // start; the 10 January starts (02:00 and 03:00 there) stay.
        var zoned = fx.config
        zoned.timezone = "America/Los_Angeles"
        _ = try Ingest(warehouse: fx.warehouse, config: zoned).run(files: [])
        #expect(try days(fx) == ["newsletter 20240131 1 0", "rss 20240110 2 0", "rss 20240204 0 1", "rss 20240229 0 1"])
        try expectEqualToRebuild(fx, "change of zone")

        // What a reload does first, alone: the second file's rows go, and with them d.
        try fx.warehouse.write { db in
            let sql = try SQLiteConnection(db)
            let identity = try String.fetchOne(db, sql: "SELECT content_sha256 FROM load_files WHERE path LIKE '%subscribers_2.csv'")!
            try EarlierLoad.remove(sql, identity: identity)
            try Summaries.refreshSubscribers(sql)
        }
        #expect(try days(fx) == ["rss 20240110 2 0", "rss 20240204 0 1", "rss 20240229 0 1"])
        try expectEqualToRebuild(fx, "rows of a file removed")
    }
}
