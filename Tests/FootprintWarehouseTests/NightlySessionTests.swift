import GRDB
import Testing
import FootprintTestSupport
import FootprintConfig
import FootprintPipeline
import FootprintStaging
import FootprintNormalize
@testable import FootprintWarehouse

/// A night re-cuts the sessions of the few visitors it touched and writes only what
/// changed (StoredSessions), and recounts their visitor days on the days it loaded
/// (pending_days). Whatever it keeps, removes or adds must leave the same tables as
/// cutting every visitor again from the page views.
@Suite struct NightlySessionTests {
    func sessionKey(_ fx: Fixture, visitorOf eventID: String, number: Int) throws -> Int? {
        try fx.int("""
            SELECT session_key FROM fact_session WHERE session_number = \(number)
              AND person_key = (SELECT person_key FROM fact_page_view WHERE source_id = '\(eventID)')
            """)
    }

    /// The sessions of the visitor of `eventID`, as `number:pages`, in number order.
    func sessions(_ fx: Fixture, visitorOf eventID: String) throws -> String? {
        try fx.warehouse.read { db in
            try String.fetchOne(db, sql: """
                SELECT group_concat(session_number || ':' || page_count, ' ') FROM (
                    SELECT session_number, page_count FROM fact_session
                    WHERE person_key = (SELECT person_key FROM fact_page_view WHERE source_id = ?) ORDER BY session_number)
                """, arguments: [eventID])
        }
    }

    @Test func aNightWritesWhatARecutOfEveryoneWould() throws {
        let fx = try Fixture()
        // Forty-one visitors of one view each, so that a night touching five of them is
        // not a re-cut of everyone (Sessionizer.work). The contact page is a goal's, the
        // zero-trust post a topic's (default config).
        var first = "event_id,timestamp,visitor_id,session_id,url,referrer\n"
        for v in 10..<50 { first += "bg\(v),2024-05-01T09:\(10 + v):00Z,v\(v),,https://acme.example/p\(v % 3),https://t.co/\n" }
        first += """
            bg50,2024-05-01T09:00:00Z,v50,,https://blog.acme.example/posts/zero-trust,
            a1,2024-05-01T10:00:00Z,v1,,https://acme.example/,https://t.co/x
            a2,2024-05-01T10:10:00Z,v1,,https://acme.example/contact,
            a3,2024-05-01T14:00:00Z,v1,,https://acme.example/p1,https://www.google.com/
            b1,2024-05-01T10:00:00Z,v2,,https://acme.example/,
            b2,2024-05-01T11:00:00Z,v2,,https://acme.example/p2,https://news.example/a
            c1,2024-05-02T10:00:00Z,v3,,https://acme.example/,
            c2,2024-05-03T10:00:00Z,v3,,https://acme.example/p2,
            d1,2024-05-01T10:00:00Z,v4,s-A,https://acme.example/,
            d2,2024-05-01T10:05:00Z,v4,s-B,https://acme.example/p1,
            e1,2024-05-01T10:00:00Z,v5,,https://acme.example/,

            """
        _ = try fx.ingest([try fx.folder.write("web_1.csv", first)])
        let v1Second = try #require(try sessionKey(fx, visitorOf: "a1", number: 2))
        let v5First = try #require(try sessionKey(fx, visitorOf: "e1", number: 1))

        // v1's first session grows (and its visit, which reaches the contact goal); v2's
        // two sessions become one; v3's earlier view renumbers its sessions; v4's s-A
        // comes back hours later. Each of the five has a new day too, on the same site:
        // its last session in the order StoredSessions reads them. `page` is the URL
        // again, but empty on the new days (a mapping that reads it rejects them).
        var night = """
            event_id,timestamp,visitor_id,session_id,url,referrer,page
            n1,2024-05-01T10:20:00Z,v1,,https://acme.example/p2,,https://acme.example/p2
            n2,2024-05-01T10:30:00Z,v2,,https://acme.example/contact,,https://acme.example/contact
            n3,2024-04-30T10:00:00Z,v3,,https://acme.example/p2,,https://acme.example/p2
            n4,2024-05-01T15:00:00Z,v4,s-A,https://acme.example/contact,,https://acme.example/contact

            """
        for v in 1...5 { night += "x\(v),2024-05-04T1\(v):00:00Z,v\(v),,https://acme.example/p1,,\n" }
        let nightFile = try fx.folder.write("web_2.csv", night)
        _ = try fx.ingest([nightFile])
        #expect(try fx.count("fact_session") == 41 + 3 + 2 + 4 + 3 + 2)
        #expect(try fx.int("""
            SELECT page_count FROM fact_session WHERE session_number = 1
              AND person_key = (SELECT person_key FROM fact_page_view WHERE source_id = 'b1')
            """) == 3)
        // What did not change was kept, not written again.
        #expect(try sessionKey(fx, visitorOf: "a1", number: 2) == v1Second)
        #expect(try sessionKey(fx, visitorOf: "e1", number: 1) == v5First)
        let nightly = try sessionRows(fx)
        try fx.recutAllSessions()
        #expect(try sessionRows(fx) == nightly)

        // The night's file reloaded with its URLs read from `page`: the new days' rows
        // are rejected, so each of the five loses its last session, the visitor with the
        // largest key included (after every new session: StoredSessions.finish), and
        // its visitor day, which only the earlier load's days name (pending_days).
        var byPage = fx.config
        byPage.inputs = [InputSpec(match: "web_2*", kind: .web, fields: ["url": .path("page")])]
        var reload = Ingest(warehouse: fx.warehouse, config: byPage)
        reload.reload = true
        let reloadedFile = try #require(try reload.run(files: [nightFile]).files.first?.result)
        #expect(reloadedFile.loaded == 4)
        #expect(reloadedFile.rejected == 5)
        #expect(try fx.int("SELECT COUNT(*) FROM agg_visitor_day WHERE date_key = 20240504") == 0)
        #expect(try fx.count("fact_session") == 41 + 2 + 1 + 3 + 2 + 1)
        let reloaded = try sessionRows(fx)
        try fx.recutAllSessions()
        #expect(try sessionRows(fx) == reloaded)
    }

    /// A night re-cuts its visitors from a window of days (SessionWindows), reaching back
    /// while a session can join across a day's start: a session crossing midnight, and
    /// one kept alive by its id for days, are cut whole, with the same numbers as when
    /// everyone is cut again. An id seen again after SessionCutter.referenceReach starts
    /// a session of its own.
    @Test func aNightReachesBackAsFarAsASessionCanJoin() throws {
        let fx = try Fixture()
        var first = "event_id,timestamp,visitor_id,session_id,url\n"
        for v in 10..<50 { first += "bg\(v),2024-04-20T09:\(10 + v):00Z,v\(v),,https://acme.example/p\(v % 3)\n" }
        // v1: an earlier session, then one from 23:50 across midnight.
        first += "a0,2024-04-20T10:00:00Z,v1,,https://acme.example/\n"
        first += "a1,2024-05-01T23:50:00Z,v1,,https://acme.example/p1\n"
        first += "a2,2024-05-02T00:10:00Z,v1,,https://acme.example/p2\n"
        // v2: one session id seen every 11 hours for four days, from 2024-04-28T08:00Z
        // (epoch seconds) to 2024-05-01T13:00Z.
        for step in 0..<8 {
            first += "b\(step),\(1_714_291_200 + 11 * 3600 * step),v2,s-long,https://acme.example/p\(step % 3)\n"
        }
        // v3: an id that comes back after a day.
        first += "c1,2024-05-01T08:00:00Z,v3,s-X,https://acme.example/\n"
        _ = try fx.ingest([try fx.folder.write("web_1.csv", first)])
        #expect(try fx.int("SELECT COUNT(*) FROM fact_session WHERE person_key = (SELECT person_key FROM fact_page_view WHERE source_id = 'b0')") == 1)

        let night = """
            event_id,timestamp,visitor_id,session_id,url
            n1,2024-05-02T00:30:00Z,v1,,https://acme.example/contact
            n2,2024-05-02T00:00:00Z,v2,s-long,https://acme.example/contact
            n3,2024-05-02T09:00:00Z,v3,s-X,https://acme.example/p1

            """
        _ = try fx.ingest([try fx.folder.write("web_2.csv", night)])
        #expect(try sessions(fx, visitorOf: "a0") == "1:1 2:3")
        #expect(try sessions(fx, visitorOf: "b0") == "1:9")
        #expect(try sessions(fx, visitorOf: "c1") == "1:1 2:1")
        let nightly = try sessionRows(fx)
        try fx.recutAllSessions()
        #expect(try sessionRows(fx) == nightly)
    }

    /// A reload that takes away the page view a session crossed midnight with shortens a
    /// session that started the day before the removed view's day, which a window from
    /// that day would not see: the reloaded file's visitors are cut from their first day
    /// (SessionWindows.fromStartMark).
    @Test func aReloadShortensASessionThatStartedBeforeItsDays() throws {
        let fx = try Fixture()
        var first = "event_id,timestamp,visitor_id,url\n"
        for v in 10..<50 { first += "bg\(v),2024-04-20T09:\(10 + v):00Z,v\(v),https://acme.example/p\(v % 3)\n" }
        first += "a1,2024-05-01T23:50:00Z,v1,https://acme.example/p1\n"
        _ = try fx.ingest([try fx.folder.write("web_1.csv", first)])
        // The night's file: v1's view across midnight, read from `url` and again from `page`.
        let night = try fx.folder.write("web_2.csv", """
            event_id,timestamp,visitor_id,url,page
            a2,2024-05-02T00:10:00Z,v1,https://acme.example/p2,

            """)
        _ = try fx.ingest([night])
        #expect(try sessions(fx, visitorOf: "a1") == "1:2")
        var byPage = fx.config
        byPage.inputs = [InputSpec(match: "web_2*", kind: .web, fields: ["url": .path("page")])]
        var reload = Ingest(warehouse: fx.warehouse, config: byPage)
        reload.reload = true
        #expect(try #require(try reload.run(files: [night]).files.first?.result).rejected == 1)
        #expect(try sessions(fx, visitorOf: "a1") == "1:1")
        let reloaded = try sessionRows(fx)
        try fx.recutAllSessions()
        #expect(try sessionRows(fx) == reloaded)
    }

    /// A reload's mark (Sessionizer.fromStartMark) is cleared by the pass after it even when
    /// that pass cuts everyone (most visitors touched): left set, every later night would
    /// cut its visitors from their first day, their whole history.
    @Test func aPassThatCutsEveryoneClearsTheReloadsMark() throws {
        let fx = try Fixture()
        _ = try fx.ingest([try fx.folder.write("web_1.csv", """
            event_id,timestamp,visitor_id,url
            a1,2024-05-01T10:00:00Z,v1,https://acme.example/
            b1,2024-05-01T10:00:00Z,v2,https://acme.example/

            """)])
        let night = try fx.folder.write("web_2.csv", """
            event_id,timestamp,visitor_id,url
            a2,2024-05-02T10:00:00Z,v1,https://acme.example/p1

            """)
        _ = try fx.ingest([night])
        var reload = Ingest(warehouse: fx.warehouse, config: fx.config)
        reload.reload = true
        #expect(try #require(try reload.run(files: [night]).files.first?.result).loaded == 1)
        #expect(try sessions(fx, visitorOf: "a1") == "1:1 2:1")
        let mark = try fx.warehouse.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Sessionizer.fromStartMark])
        }
        #expect(mark == nil)
    }

    /// A run of an older version that stopped between its loads and its sessionizer pass
    /// left visitors pending but no pending days (there were none): the upgrade marks
    /// every day of theirs, and the next pass counts the views that run loaded.
    @Test func anUpgradeFinishesTheVisitorDaysARunLeftUndone() throws {
        let fx = try Fixture()
        var first = "event_id,timestamp,visitor_id,url\n"
        for v in 0..<40 { first += "a\(v),2024-05-01T09:\(10 + v):00Z,v\(v),https://acme.example/p\(v % 3)\n" }
        _ = try fx.ingest([try fx.folder.write("web_1.csv", first)])
        let path = try fx.folder.write("web_2.csv", "event_id,timestamp,visitor_id,url\nb1,2024-05-03T10:00:00Z,v1,https://acme.example/\n")
        try fx.warehouse.withLoadSession(config: fx.config) { session in
            let reader = try StagedFileReader(path: path, kindOverride: nil, config: fx.config, zone: .utc,
                                              persons: PersonCache(hasher: session.personHasher))
            #expect(try session.load(reader, path: path, sha256: "test").loaded == 1)
        }
        #expect(try fx.count("pending_sessions") == 1)
        // As the older version left it: no pending_days, v16 not yet applied.
        try fx.warehouse.write { db in
            try db.execute(sql: "DROP TABLE pending_days")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v16 visitor days by day'")
        }
        let next = Fixture(folder: fx.folder, warehouse: try Warehouse(path: fx.folder.file("test.sqlite")))
        try next.warehouse.refreshDerivedFacts(config: next.config)
        #expect(try next.int("SELECT SUM(views) FROM agg_visitor_day WHERE date_key = 20240503") == 1)
        #expect(try next.count("pending_days") == 0)
        let kept = try sessionRows(next)
        try next.recutAllSessions()
        #expect(try sessionRows(next) == kept)
    }
}
