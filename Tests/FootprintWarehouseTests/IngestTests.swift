import Foundation
import GRDB
import Testing
import FootprintTestSupport
import FootprintConfig
import FootprintNormalize
import FootprintPipeline
import FootprintStaging
@testable import FootprintWarehouse

/// Web rows for tests: `count` page views starting at `first`, ids e<n>.
func webCSV(_ range: ClosedRange<Int>, header: Bool = true) -> String {
    var text = header ? "event_id,timestamp,visitor_id,url,referrer,country\n" : ""
    for i in range {
        text += "e\(i),2024-05-01T10:\(String(format: "%02d", i % 60)):00Z,visitor-\(i % 7),https://www.acme.example/page\(i % 3)/,https://www.google.com/,DE\n"
    }
    return text
}

struct Fixture {
    let folder: TestFolder
    let warehouse: Warehouse
    let config = DefaultConfig.load()

    init() throws {
        folder = try TestFolder()
        warehouse = try Warehouse(path: folder.file("test.sqlite"))
    }

    init(folder: TestFolder, warehouse: Warehouse) {
        self.folder = folder
        self.warehouse = warehouse
    }

    func ingest(_ paths: [String]) throws -> IngestSummary {
        try Ingest(warehouse: warehouse, config: config).run(files: paths)
    }

    func count(_ table: String) throws -> Int {
        try warehouse.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    /// The integer a query gives (nil for NULL or no row).
    func int(_ sql: String) throws -> Int? {
        try warehouse.read { db in try Int.fetchOne(db, sql: sql) }
    }

    func journalMode() throws -> String? {
        try warehouse.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    }

    /// Whether a first load's derived facts are still owed (the sessionizer's mark).
    func firstLoadMarked() throws -> Bool {
        try warehouse.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM meta WHERE key = ?", arguments: [Sessionizer.firstLoadMark])
        } == 1
    }

    /// Cuts every visitor's sessions again, from the table.
    func recutAllSessions() throws {
        try warehouse.write { db in try db.execute(sql: "INSERT INTO pending_sessions SELECT person_key FROM dim_person") }
        try warehouse.refreshDerivedFacts(config: config)
    }
}

/// The referral summary equals what grouping fact_page_view gives (Summaries.rebuildAllReferrals).
/// Everything the sessionizer writes (sessions, visits, visitor days, topic visitors and
/// the start summaries), keys aside, as text rows in a fixed order: to compare what a
/// load or a night cut with what a re-cut from the table gives.
func sessionRows(_ fx: Fixture) throws -> [[String]] {
    try fx.warehouse.read { db in
        var all: [[String]] = []
        for sql in ["SELECT person_key, property_key, date_key, started_at, ended_at, session_number, page_count, referrer_key, landing_content_key FROM fact_session ORDER BY 1, 2, 4",
                    "SELECT * FROM agg_visitor_day ORDER BY 1, 2, 3, 4",
                    "SELECT * FROM agg_session_start ORDER BY 1, 2, 3",
                    "SELECT person_key, date_key, started_at, ended_at, page_count, referrer_key, landing_content_key, goal_mask FROM fact_visit ORDER BY 1, 3",
                    "SELECT * FROM agg_topic_visitor_day ORDER BY 1, 2, 3",
                    "SELECT * FROM agg_visit_start ORDER BY 1, 2, 3, 4",
                    "SELECT * FROM agg_visitor_property ORDER BY 1, 2"] {
            all += try Row.fetchAll(db, sql: sql).map { row in (0..<row.count).map { "\(row[$0] as DatabaseValue)" } }
            all.append(["--"])
        }
        return all
    }
}

func expectReferralsEqualARegrouping(_ fx: Fixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
    func referrals() throws -> [Row] {
        try fx.warehouse.read { db in try Row.fetchAll(db, sql: "SELECT * FROM agg_page_view_referral ORDER BY 1, 2, 3") }
    }
    let kept = try referrals()
    #expect(!kept.isEmpty, sourceLocation: sourceLocation)
    try fx.warehouse.write { db in try Summaries.rebuildAllReferrals(db) }
    #expect(try referrals() == kept, sourceLocation: sourceLocation)
}

@Suite struct IngestTests {
    @Test func ingestingTwiceChangesNothing() throws {
        let fx = try Fixture()
        let path = try fx.folder.write("web_1.csv", webCSV(1...50))
        let first = try fx.ingest([path])
        #expect(first.files[0].result?.loaded == 50)
        let before = try fx.warehouse.read { db in try Row.fetchAll(db, sql: "SELECT * FROM fact_page_view ORDER BY page_view_key") }
        let second = try fx.ingest([path])
        #expect(second.files[0].status == .skipped)
        #expect(try fx.count("fact_page_view") == 50)
        #expect(try fx.count("load_files") == 1)
        let after = try fx.warehouse.read { db in try Row.fetchAll(db, sql: "SELECT * FROM fact_page_view ORDER BY page_view_key") }
        #expect(before == after)
    }

    /// Mentions are matched for the activities of every run, not only the first: each
    /// run matches those loaded since the last pass (by load file, through an index).
    @Test func activitiesOfALaterRunGetTheirMentions() throws {
        let fx = try Fixture()
        func activity(_ id: String, _ text: String) -> String {
            #"{"activity_id": "\#(id)", "timestamp": "2024-05-02T09:00:00Z", "platform": "linkedin", "group": "CIO Circle", "actor_id": "m\#(id)", "action": "post", "text": "\#(text)"}"#
        }
        let first = try fx.folder.write("groups-1.jsonl", activity("g1", "Acme Corp helped us") + "\n")
        _ = try fx.ingest([first])
        let second = try fx.folder.write("groups-2.jsonl", [activity("g2", "Globex and Acme both pitched"), activity("g3", "nothing here")]
            .joined(separator: "\n") + "\n")
        _ = try fx.ingest([second])
        let mentions = try fx.warehouse.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.source_id, b.name FROM fact_brand_mention AS m
                JOIN fact_group_activity AS f ON f.activity_key = m.activity_key
                JOIN dim_brand AS b ON b.brand_key = m.brand_key ORDER BY f.source_id, b.name
                """).map { "\($0[0] as String) \($0[1] as String)" }
        }
        // An activity's source id is its platform and id (unit separator between).
        #expect(mentions == ["linkedin\u{1F}g1 Acme", "linkedin\u{1F}g2 Acme", "linkedin\u{1F}g2 Globex"])
    }

    /// A short link shared in a group counts for the page it points to whichever comes
    /// first: the share, or the click export that names the link (each in its own run;
    /// a pass looks at new activities, and at all of them when a link is new).
    @Test func aSharedShortLinkCountsForItsTargetWhicheverComesFirst() throws {
        let fx = try Fixture()
        func share(_ id: String, _ link: String) throws -> String {
            try fx.folder.write("groups-\(id).jsonl", #"{"activity_id": "\#(id)", "timestamp": "2024-05-01T10:00:00Z", "group": "G", "actor_id": "a\#(id)", "action": "post", "url": "https://bit.ly/\#(link)"}"# + "\n")
        }
        func clicks(_ link: String, _ page: String) throws -> String {
            try fx.folder.write("clicks-\(link).csv", "timestamp,short_url,long_url,channel,country\n2024-05-01T11:00:00Z,https://bit.ly/\(link),https://blog.acme.example/\(page),twitter,FR\n")
        }
        _ = try fx.ingest([try clicks("a", "known-first")])
        _ = try fx.ingest([try share("s1", "a")])          // the link was known
        _ = try fx.ingest([try share("s2", "b")])          // not yet
        _ = try fx.ingest([try clicks("b", "shared-first")])
        _ = try fx.ingest([try share("s3", "a")])          // again, known
        let urls = try fx.warehouse.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.source_id, c.url FROM fact_group_activity AS f JOIN dim_content AS c ON c.content_key = f.content_key
                ORDER BY f.source_id
                """).map { "\($0[1] as String)" }
        }
        #expect(urls == ["https://blog.acme.example/known-first", "https://blog.acme.example/shared-first",
                         "https://blog.acme.example/known-first"])
    }

    @Test func renamedFileWithSameContentIsSkipped() throws {
        let fx = try Fixture()
        let a = try fx.folder.write("web_a.csv", webCSV(1...10))
        let b = try fx.folder.write("web_b.csv", webCSV(1...10))
        let summary = try fx.ingest([a, b])
        #expect(summary.files[1].status == .skipped)
        #expect(summary.files[1].note == "same content as \(a), already loaded")
    }

    @Test func overlappingExportsLoadEachRowOnce() throws {
        let fx = try Fixture()
        let a = try fx.folder.write("web_a.csv", webCSV(1...60))
        let b = try fx.folder.write("web_b.csv", webCSV(41...100))
        let summary = try fx.ingest([a, b])
        let second = try #require(summary.files[1].result)
        #expect(second.read == 60)
        #expect(second.loaded == 40)
        #expect(second.duplicate == 20)
        #expect(try fx.count("fact_page_view") == 100)
    }

    @Test func everyRowIsLoadedDuplicateOrRejected() throws {
        let fx = try Fixture()
        var text = webCSV(1...20)
        text += "e5,2024-05-01T10:05:00Z,visitor-5,https://www.acme.example/page2/,https://www.google.com/,DE\n" // duplicate id
        text += "e99,not-a-time,v,https://acme.example/,,\n"                                                  // bad timestamp
        text += "e98,2024-05-01T10:00:00Z,v\n"                                                                // ragged
        text += "e97,2024-05-01T10:00:00Z,v,nowhere,,\n"                                                      // bad url
        let path = try fx.folder.write("web.csv", text)
        let result = try #require(try fx.ingest([path]).files[0].result)
        #expect(result.read == 24)
        #expect(result.loaded == 20)
        #expect(result.duplicate == 1)
        #expect(result.rejected == 3)
        #expect(result.read == result.loaded + result.duplicate + result.rejected)
        let rejects = try fx.warehouse.read { db in
            try Row.fetchAll(db, sql: "SELECT line, reason, raw_text FROM load_rejects ORDER BY line")
        }
        #expect(rejects.map { $0["line"] as Int } == [23, 24, 25])
        #expect((rejects[0]["reason"] as String).hasPrefix("timestamp 'not-a-time' is not ISO 8601"))
        #expect(rejects[1]["reason"] as String == "row has 3 fields, the header has 6")
        // A ragged row cannot be split to remove its visitor id: its text is not kept.
        #expect((rejects[1]["raw_text"] as String).hasPrefix("(text not kept"))
        #expect((rejects[0]["raw_text"] as String) == "e99,not-a-time,[id removed],https://acme.example/,,")
        #expect(rejects[2]["reason"] as String == "url 'nowhere' is not an absolute URL")
        let stored = try fx.warehouse.read { db in
            try Row.fetchOne(db, sql: "SELECT rows_read, rows_loaded, rows_duplicate, rows_rejected FROM load_files")
        }
        #expect(stored.map { row in (0..<4).map { row[$0] as Int } } == [24, 20, 1, 3])
    }

    @Test func everyFactPointsAtExistingDimensionRows() throws {
        // SQLite does not enforce the declared foreign keys during loads (for speed); the
        // loader must still never write a dangling key.
        let fx = try Fixture()
        let web = try fx.folder.write("web.csv", webCSV(1...30))
        let clicks = try fx.folder.write("clicks.csv", "timestamp,short_url,long_url,channel,country\n2024-05-01T10:00:00Z,https://bit.ly/a,https://blog.acme.example/p,twitter,FR\n")
        let groups = try fx.folder.write("groups.jsonl", #"{"activity_id":"1","timestamp":"2024-05-01T10:00:00Z","group":"G","actor_id":"a","action":"post","url":"https://bit.ly/a","text":"Acme"}"# + "\n")
        _ = try fx.ingest([web, clicks, groups])
        let dangling = try fx.warehouse.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(dangling.isEmpty)
        #expect(try fx.count("fact_session") > 0)
        #expect(try fx.count("fact_brand_mention") == 1)
    }

    /// A pass re-cuts every visitor once a quarter of them are pending (then one scan
    /// beats a look-up per visitor), counting visitors only as far as that takes.
    @Test func aPassRecutsEveryoneFromAQuarterOfTheVisitorsPending() throws {
        let fx = try Fixture()
        func work(pending: Int) throws -> Bool? {
            try fx.warehouse.write { db in
                try db.execute(sql: "DELETE FROM pending_sessions")
                try db.execute(sql: "INSERT INTO pending_sessions SELECT person_key FROM dim_person WHERE person_key <= ?",
                               arguments: [pending])
                return try Sessionizer.work(SQLiteConnection(db))?.everything
            }
        }
        try fx.warehouse.write { db in
            for key in 1...100 { try db.execute(sql: "INSERT INTO dim_person (person_key, person_hash) VALUES (?, ?)", arguments: [key, "p\(key)"]) }
        }
        #expect(try work(pending: 0) == nil)
        #expect(try work(pending: 24) == false)
        #expect(try work(pending: 25) == true)
        #expect(try work(pending: 100) == true)
    }

    @Test func sessionsAreRecutWhenLaterFilesAddViews() throws {
        let fx = try Fixture()
        var first = "event_id,timestamp,visitor_id,url\n"
        for v in 0..<10 { first += "a\(v),2024-05-01T10:00:00Z,v\(v),https://acme.example/\n" }
        _ = try fx.ingest([try fx.folder.write("web_1.csv", first)])
        #expect(try fx.count("fact_session") == 10)
        // v1 comes back 10 minutes later (same session), v2 an hour later (a new one).
        // Only 2 of 10 visitors are touched, so only their sessions are rebuilt.
        let second = "event_id,timestamp,visitor_id,url\nb1,2024-05-01T10:10:00Z,v1,https://acme.example/x\nb2,2024-05-01T11:00:00Z,v2,https://acme.example/x\n"
        _ = try fx.ingest([try fx.folder.write("web_2.csv", second)])
        let sessions = try fx.warehouse.read { db in
            try Row.fetchAll(db, sql: "SELECT session_number, page_count FROM fact_session ORDER BY person_key, session_number")
        }
        #expect(sessions.count == 11)
        #expect(sessions.filter { ($0[1] as Int) == 2 }.count == 1)      // v1: one session of two pages
        #expect(sessions.filter { ($0[0] as Int) == 2 }.count == 1)      // v2: a second session
    }

    /// Rows are inserted a batch behind the rows being read (FactWriter): a repeat of an
    /// id two batches later must still count as a duplicate, and every row once. A first
    /// load takes the other path (no index until the end, BulkPageViewLoad), so both are
    /// run: into an empty table, and after one row is already loaded. There, the repeats
    /// are more suspects than BulkPageViewLoad writes to its table at once: it fails when
    /// a batch of them is lost (checked).
    @Test(arguments: [false, true])
    func repeatsFarApartInOneFileAreDuplicates(afterAnotherFile: Bool) throws {
        let fx = try Fixture()
        if afterAnotherFile {
            _ = try fx.ingest([try fx.folder.write("web_0.csv", "event_id,timestamp,visitor_id,url\nx0,2024-05-01T09:00:00Z,v,https://acme.example/\n")])
        }
        let distinct = FactWriter.batchSize + FactWriter.batchSize / 2
        #expect(distinct > BulkPageViewLoad.suspectBatch)
        var text = webCSV(1...distinct)
        text += webCSV(1...distinct, header: false)
        let summary = try fx.ingest([try fx.folder.write("web_1.csv", text)])
        let result = try #require(summary.files.last?.result)
        #expect(result.read == 2 * distinct)
        #expect(result.loaded == distinct)
        #expect(result.duplicate == distinct)
        #expect(try fx.count("fact_page_view") == distinct + (afterAnotherFile ? 1 : 0))
        let counted = try fx.warehouse.read { db in try Int.fetchOne(db, sql: "SELECT SUM(views) FROM agg_page_view_referral") }
        #expect(counted == distinct + (afterAnotherFile ? 1 : 0))
    }

    /// A first load inserts page views 32 to a statement (BulkPageViewLoad): each row
    /// must keep its own values through the statement's parameter offsets, the last
    /// partial statement included (70 rows: two full statements and 6 more). Checked
    /// by hand for the last row (the file it is credited to included), and for all
    /// against the same file loaded row by row
    /// (after another file; that path inserts in hash order, so rows are compared by id).
    @Test func aFirstLoadStoresEachRowAsTheRowByRowPathDoes() throws {
        var text = "event_id,timestamp,visitor_id,session_id,url,referrer,country,engaged_seconds\n"
        for n in 0..<70 {
            text += "r\(n),2024-05-\(String(format: "%02d", 1 + n % 28))T10:\(String(format: "%02d", n % 60)):00Z,"
            text += "v\(n % 9),\(n % 4 == 0 ? "" : "s\(n)"),https://acme.example/p\(n),https://ref\(n % 5).example/,"
            text += "\(["DE", "FR", "JP"][n % 3]),\(n % 3 == 0 ? "" : String(n))\n"
        }
        func rows(afterAnotherFile: Bool) throws -> [[String]] {
            let fx = try Fixture()
            if afterAnotherFile {
                _ = try fx.ingest([try fx.folder.write("web_0.csv", "event_id,timestamp,visitor_id,url\nx0,2024-05-01T09:00:00Z,v,https://acme.example/\n")])
            }
            let result = try fx.ingest([try fx.folder.write("web_1.csv", text)])
            #expect(result.files.last?.result?.loaded == 70)
            return try fx.warehouse.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT f.source_id, f.date_key, f.viewed_at, c.url, r.domain, g.country_code, f.session_ref, f.engaged_seconds,
                           (SELECT COUNT(*) FROM fact_page_view AS o WHERE o.person_key = f.person_key),
                           f.load_file_id = (SELECT load_file_id FROM load_files WHERE path LIKE '%web_1.csv')
                    FROM fact_page_view AS f JOIN dim_content AS c USING (content_key) JOIN dim_referrer AS r USING (referrer_key)
                    JOIN dim_geography AS g USING (geo_key)
                    WHERE f.source_id LIKE 'r%' ORDER BY CAST(substr(f.source_id, 2) AS INTEGER)
                    """).map { row in (0..<10).map { row[$0].map { "\($0)" } ?? "NULL" } }
            }
        }
        let bulk = try rows(afterAnotherFile: false)
        #expect(bulk.count == 70)
        #expect(bulk[69] == ["r69", "20240514", "1715681340", "https://acme.example/p69", "ref4.example", "DE", "s69", "NULL", "8", "1"])
        let rowByRow = try rows(afterAnotherFile: true)
        #expect(bulk == rowByRow)
    }

    /// Visitors go into dim_person once each, sorted and 32 to a statement when a file
    /// ends (DimensionKeys.flushPersons): 70 visitors seen up to three times in a first
    /// load, then 70 more of which 20 were already known, leave exactly 120 persons, and
    /// every page view's person among them.
    @Test func everyVisitorIsOnePersonAcrossRepeatsAndFiles() throws {
        let fx = try Fixture()
        func file(_ name: String, visitors: [Int]) throws -> String {
            var text = "event_id,timestamp,visitor_id,url\n"
            for (n, visitor) in visitors.enumerated() { text += "\(name)-\(n),2024-05-01T10:00:00Z,visitor-\(visitor),https://acme.example/\n" }
            return try fx.folder.write("web_\(name).csv", text)
        }
        _ = try fx.ingest([try file("a", visitors: Array(0..<70) + Array(0..<70).reversed() + Array(stride(from: 0, to: 70, by: 3)))])
        #expect(try fx.count("dim_person") == 70)
        _ = try fx.ingest([try file("b", visitors: Array(50..<120))])
        #expect(try fx.count("dim_person") == 120)
        let orphans = try fx.warehouse.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fact_page_view WHERE person_key NOT IN (SELECT person_key FROM dim_person)")
        }
        #expect(orphans == 0)
        let distinctHashes = try fx.warehouse.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT person_hash) FROM dim_person") }
        #expect(distinctHashes == 120)
    }

    /// After a first load, sessions are cut from the input gathered while inserting
    /// (PresortedSessionInput) instead of reading the table back: the sessions, visitor
    /// days and session starts must be exactly those the table gives. 400 views of 23
    /// visitors on two properties, with session ids, engaged times, gaps past the timeout
    /// and views in the same second; then the same visitors re-cut from the table.
    @Test func sessionsCutWhileLoadingEqualSessionsCutFromTheTable() throws {
        let fx = try Fixture()
        var generator = SeededGenerator(seed: 11)
        var text = "event_id,timestamp,visitor_id,session_id,url,referrer,engaged_seconds\n"
        for n in 0..<400 {
            let minute = Int.random(in: 0..<600, using: &generator)
            let second = Int.random(in: 0..<2, using: &generator) * 30
            let at = String(format: "2024-05-%02dT%02d:%02d:%02dZ", 1 + minute / 300, (minute % 300) / 60 + 8, minute % 60, second)
            let visitor = Int.random(in: 0..<23, using: &generator)
            let session = Int.random(in: 0..<3, using: &generator) == 0 ? "s\(visitor)-\(minute / 90)" : ""
            let host = Int.random(in: 0..<2, using: &generator) == 0 ? "acme.example" : "blog.acme.example"
            let engaged = Int.random(in: 0..<2, using: &generator) == 0 ? "" : String(Int.random(in: 1..<300, using: &generator))
            text += "e\(n),\(at),v\(visitor),\(session),https://\(host)/p\(n % 7),https://ref\(n % 3).example/,\(engaged)\n"
        }
        _ = try fx.ingest([try fx.folder.write("web_1.csv", text)])
        #expect(fx.warehouse.lastSessionsInput == .presorted)
        // The cutter counted the referral summary the load left to it: 400 views, and
        // exactly what grouping the table gives.
        #expect(fx.warehouse.lastReferralsCountedByCutter)
        #expect(try fx.int("SELECT SUM(views) FROM agg_page_view_referral") == 400)
        try expectReferralsEqualARegrouping(fx)
        // The rollback journal of the first load was kept for the derived facts, then WAL restored.
        #expect(try fx.journalMode() == "wal")
        #expect(try fx.count("pending_sessions") == 0)
        #expect(try !fx.firstLoadMarked())
        func derived() throws -> [[String]] { try sessionRows(fx) }
        let whileLoading = try derived()
        #expect(whileLoading.count > 100)
        try fx.recutAllSessions()
        #expect(fx.warehouse.lastSessionsInput == .tableOnBothConnections)
        #expect(try derived() == whileLoading)
    }

    /// Overlapping exports repeat rows within the first file: the later copies are
    /// deleted after the insert, and the input gathered while inserting still serves,
    /// passing over them. Repeats here carry another time and visitor, so cutting the
    /// deleted copy instead of the kept one would give other sessions than the table.
    @Test func repeatsInAFirstLoadKeepTheGatheredInputAndItsSessions() throws {
        let fx = try Fixture()
        var generator = SeededGenerator(seed: 12)
        var text = "event_id,timestamp,visitor_id,session_id,url,referrer,engaged_seconds\n"
        for n in 0..<400 {
            let minute = Int.random(in: 0..<600, using: &generator)
            let at = String(format: "2024-05-%02dT%02d:%02d:00Z", 1 + minute / 300, (minute % 300) / 60 + 8, minute % 60)
            let visitor = Int.random(in: 0..<23, using: &generator)
            text += "e\(n),\(at),v\(visitor),,https://acme.example/p\(n % 7),https://ref\(n % 3).example/,\(n % 50)\n"
            if n % 13 == 0 {
                text += "e\(n),2024-05-03T23:\(String(format: "%02d", n % 60)):00Z,v\(n % 5 + 100),,https://acme.example/other,,\n"
            }
        }
        let summary = try fx.ingest([try fx.folder.write("web_1.csv", text)])
        #expect(summary.files.map { $0.result?.duplicate } == [31])
        #expect(fx.warehouse.lastSessionsInput == .presorted)
        #expect(try fx.int("SELECT SUM(views) FROM agg_page_view_referral") == 400)
        try expectReferralsEqualARegrouping(fx)
        func derived() throws -> [[String]] { try sessionRows(fx) }
        let whileLoading = try derived()
        #expect(whileLoading.count > 100)
        try fx.recutAllSessions()
        #expect(try derived() == whileLoading)
    }

    /// A first load followed, in the same run, by another file with page views: the
    /// input gathered during the first no longer covers the table, so the sessionizer
    /// must read the table instead, and cut the same sessions as a re-cut does.
    @Test func aSecondFileInTheSameRunMakesTheSessionizerReadTheTable() throws {
        let fx = try Fixture()
        func file(_ name: String, hours: ClosedRange<Int>) throws -> String {
            var text = "event_id,timestamp,visitor_id,url\n"
            for hour in hours { for visitor in 0..<5 { text += "\(name)-\(hour)-\(visitor),2024-05-01T\(String(format: "%02d", hour)):00:00Z,v\(visitor),https://acme.example/\n" } }
            return try fx.folder.write("web_\(name).csv", text)
        }
        let summary = try fx.ingest([try file("a", hours: 8...10), try file("b", hours: 10...12)])
        #expect(summary.files.map { $0.result?.loaded } == [15, 15])
        // The first load kept its rollback journal for the derived facts: a second
        // connection must not read beside the writer then.
        #expect(fx.warehouse.lastSessionsInput == .tableOnOneConnection)
        #expect(try fx.journalMode() == "wal")
        // The first file's referrals were left to the sessionizer, which regrouped the
        // table; the second file's were counted while loading: each view once.
        #expect(!fx.warehouse.lastReferralsCountedByCutter)
        #expect(try fx.int("SELECT SUM(views) FROM agg_page_view_referral") == 30)
        try expectReferralsEqualARegrouping(fx)
        func sessions() throws -> [[Int64]] {
            try fx.warehouse.read { db in
                try Row.fetchAll(db, sql: "SELECT person_key, started_at, ended_at, page_count, session_number FROM fact_session ORDER BY 1, 2")
                    .map { row in (0..<5).map { row[$0] as Int64 } }
            }
        }
        let first = try sessions()
        // 5 visitors, a view an hour (past the 30-minute timeout) from 8:00 to 12:00: 25
        // sessions; the two views at 10:00, one from each file, are one session of two.
        #expect(first.count == 25)
        #expect(first.map { $0[3] }.reduce(0, +) == 30)
        #expect(first.filter { $0[3] == 2 }.count == 5)
        try fx.recutAllSessions()
        #expect(fx.warehouse.lastSessionsInput == .tableOnBothConnections)
        #expect(try sessions() == first)
    }

    /// A first load whose run stopped after the file committed, before the derived facts
    /// (a kill, a power cut): the marks it left in the file's transaction make the next
    /// run, in a new process without the gathered input, cut every visitor's sessions
    /// and count the referral summary from the table.
    @Test func derivedFactsAFirstLoadLeftUndoneAreDoneByTheNextRun() throws {
        let fx = try Fixture()
        var text = "event_id,timestamp,visitor_id,url,referrer\n"
        for n in 0..<60 { text += "e\(n),2024-05-0\(1 + n % 3)T1\(n % 10):00:00Z,v\(n % 7),https://acme.example/p\(n % 4),https://ref\(n % 3).example/\n" }
        let path = try fx.folder.write("web_1.csv", text)
        try fx.warehouse.withLoadSession(config: fx.config) { session in
            let reader = try StagedFileReader(path: path, kindOverride: nil, config: fx.config, zone: .utc,
                                              persons: PersonCache(hasher: session.personHasher))
            #expect(try session.load(reader, path: path, sha256: "test").loaded == 60)
        }
        #expect(try fx.count("fact_page_view") == 60)
        #expect(try fx.count("fact_session") == 0)
        #expect(try fx.count("agg_page_view_referral") == 0)
        #expect(try fx.firstLoadMarked())
        // The next run: another Warehouse, as another process would open.
        let next = Fixture(folder: fx.folder, warehouse: try Warehouse(path: fx.folder.file("test.sqlite")))
        try next.warehouse.refreshDerivedFacts(config: next.config)
        #expect(next.warehouse.lastSessionsInput == .tableOnBothConnections)
        #expect(!next.warehouse.lastReferralsCountedByCutter)
        #expect(try next.int("SELECT SUM(page_count) FROM fact_session") == 60)
        #expect(try next.int("SELECT SUM(views) FROM agg_page_view_referral") == 60)
        #expect(try !next.firstLoadMarked())
        try expectReferralsEqualARegrouping(next)
    }

    /// The export's session ids decide when both views have one (a new id 5 minutes
    /// later is a new session; the same id 2 hours later is not); a view without an id
    /// falls back to the 30-minute rule.
    @Test func sessionIdsDecideBeforeTheTimeout() throws {
        let fx = try Fixture()
        let csv = """
            event_id,timestamp,visitor_id,session_id,url
            a1,2024-05-01T10:00:00Z,v1,s-A,https://acme.example/
            a2,2024-05-01T10:05:00Z,v1,s-B,https://acme.example/x
            a3,2024-05-01T12:05:00Z,v1,s-B,https://acme.example/y
            a4,2024-05-01T12:20:00Z,v1,,https://acme.example/z
            a5,2024-05-01T13:00:00Z,v1,,https://acme.example/z
            b1,2024-05-01T10:00:00Z,v2,s-A,https://acme.example/

            """
        _ = try fx.ingest([try fx.folder.write("web_1.csv", csv)])
        let sessions = try fx.warehouse.read { db in
            try Row.fetchAll(db, sql: """
                SELECT session_number, page_count, started_at, ended_at FROM fact_session ORDER BY person_key = (
                    SELECT person_key FROM fact_page_view WHERE source_id = 'a1') DESC, session_number
                """)
        }
        let start = Int64(1_714_557_600)  // 2024-05-01T10:00:00Z
        #expect(sessions.map { [$0[0] as Int64, $0[1] as Int64, ($0[2] as Int64) - start, ($0[3] as Int64) - start] } == [
            [1, 1, 0, 0],                 // v1, s-A
            [2, 3, 300, 8400],            // v1, s-B across two hours, then 15 minutes without an id
            [3, 1, 10_800, 10_800],       // v1, 40 minutes later without an id: a new session
            [1, 1, 0, 0],                 // v2 has its own s-A
        ])
    }

    /// Two tabs (or two devices) of one visitor: their page views interleave. A session
    /// is all the page views of one (visitor, session id), so two ids make two sessions,
    /// not one per switch (the cut used to make 4 of these 2, and bounces of each).
    @Test func interleavedSessionIdsAreTwoSessions() throws {
        let fx = try Fixture()
        let csv = """
            event_id,timestamp,visitor_id,session_id,url
            t1,2024-05-01T10:00:00Z,v1,tab-A,https://acme.example/
            t2,2024-05-01T10:01:00Z,v1,tab-B,https://acme.example/pricing
            t3,2024-05-01T10:02:00Z,v1,tab-A,https://acme.example/docs
            t4,2024-05-01T10:03:00Z,v1,tab-B,https://acme.example/signup
            t5,2024-05-01T10:04:00Z,v1,,https://acme.example/thanks
            t6,2024-05-01T11:00:00Z,v1,tab-C,https://acme.example/

            """
        _ = try fx.ingest([try fx.folder.write("web_1.csv", csv)])
        let sessions = try fx.warehouse.read { db in
            try Row.fetchAll(db, sql: "SELECT session_number, page_count, started_at, ended_at FROM fact_session ORDER BY session_number")
        }
        let start = Int64(1_714_557_600)  // 2024-05-01T10:00:00Z
        #expect(sessions.map { [$0[0] as Int64, $0[1] as Int64, ($0[2] as Int64) - start, ($0[3] as Int64) - start] } == [
            [1, 2, 0, 120],               // tab-A: t1, t3
            [2, 3, 60, 240],              // tab-B: t2, t4, and t5 (no id, a minute after the latest view)
            [3, 1, 3600, 3600],           // tab-C an hour later
        ])
    }

    /// A file loaded under a wrong mapping could never be read again ("already loaded").
    /// `--reload` replaces its earlier load in the same transaction: the same rows as a
    /// fresh load with the right mapping, sessions and summaries included.
    @Test func reloadReplacesAFilesEarlierLoad() throws {
        let csv = """
            event_id,timestamp,visitor_id,url,page,referrer
            r1,2024-05-01T10:00:00Z,v1,https://acme.example/,https://acme.example/pricing,https://t.co/a
            r2,2024-05-01T10:05:00Z,v1,https://acme.example/,https://acme.example/docs,
            r3,2024-05-02T09:00:00Z,v2,https://acme.example/,https://acme.example/pricing,https://news.example/x
            r4,2024-05-03T09:00:00Z,v3,https://acme.example/,https://acme.example/,

            """
        var wrong = DefaultConfig.load()
        wrong.inputs = [InputSpec(match: "web_1*", kind: .web, fields: [:])]
        var right = wrong
        right.inputs = [InputSpec(match: "web_1*", kind: .web, fields: ["url": .path("page")])]
        let other = "event_id,timestamp,visitor_id,url\no1,2024-05-02T09:30:00Z,v2,https://acme.example/about\n"

        let fx = try Fixture()
        let file = try fx.folder.write("web_1.csv", csv)
        _ = try Ingest(warehouse: fx.warehouse, config: wrong).run(files: [file, try fx.folder.write("web_2.csv", other)])
        #expect(try fx.int("SELECT COUNT(DISTINCT content_key) FROM fact_page_view WHERE source_id LIKE 'r%'") == 1)
        let again = try Ingest(warehouse: fx.warehouse, config: right).run(files: [file])
        #expect(again.files.first?.status == .skipped)            // without --reload: already loaded
        var reload = Ingest(warehouse: fx.warehouse, config: right)
        reload.reload = true
        let reloaded = try reload.run(files: [file])
        #expect(reloaded.files.first?.result?.loaded == 4)
        #expect(reloaded.files.first?.result?.duplicate == 0)

        // The same as loading both files with the right mapping into a new database.
        let fresh = try Fixture()
        _ = try Ingest(warehouse: fresh.warehouse, config: right).run(files: [try fresh.folder.write("web_1.csv", csv),
                                                                             try fresh.folder.write("web_2.csv", other)])
        let facts = """
            SELECT f.source_id, c.url, f.viewed_at FROM fact_page_view f JOIN dim_content c USING (content_key) ORDER BY f.source_id
            """
        let sessions = "SELECT started_at, ended_at, session_number, page_count FROM fact_session ORDER BY started_at"
        for sql in [facts, sessions, "SELECT date_key, views FROM agg_visitor_day ORDER BY 1, 2", "SELECT COUNT(*) FROM load_files"] {
            let reloadedRows = try fx.warehouse.read { db in try Row.fetchAll(db, sql: sql) }
            let freshRows = try fresh.warehouse.read { db in try Row.fetchAll(db, sql: sql) }
            #expect(reloadedRows == freshRows, "\(sql)")
        }
        try expectReferralsEqualARegrouping(fx)
        #expect(try fx.int("SELECT SUM(views) FROM agg_page_view_referral") == 5)
    }

    @Test func interruptedLoadLeavesNoTrace() throws {
        let fx = try Fixture()
        let first = try fx.folder.write("web_1.csv", webCSV(1...10))
        _ = try fx.ingest([first])
        let tables = ["fact_page_view", "load_files", "load_rejects", "dim_person", "dim_content", "dim_date", "dim_geography"]
        let before = try tables.map(fx.count)
        let big = try fx.folder.write("web_2.csv", webCSV(11...150_000))
        struct Killed: Error {}
        #expect(throws: Killed.self) {
            _ = try Ingest(warehouse: fx.warehouse, config: fx.config).run(files: [big]) { progress in
                if progress.rowsRead >= 100_000 { throw Killed() }
            }
        }
        #expect(try tables.map(fx.count) == before)
        // The next run loads the file completely.
        let retry = try fx.ingest([big])
        #expect(retry.files[0].result?.loaded == 149_990)
        #expect(try fx.count("fact_page_view") == 150_000)
    }

    /// A first load runs with a rollback journal (LoadSession); WAL must be back after
    /// it, whether the load succeeded or failed, so that reports and the sessionizer's
    /// second connection read beside a writer as before.
    @Test func firstLoadLeavesTheDatabaseInWALMode() throws {
        let fx = try Fixture()
        struct Killed: Error {}
        #expect(throws: Killed.self) {
            _ = try Ingest(warehouse: fx.warehouse, config: fx.config).run(files: [try fx.folder.write("web_0.csv", webCSV(1...60_000))]) { _ in
                throw Killed()
            }
        }
        #expect(try fx.journalMode() == "wal")
        #expect(try fx.ingest([try fx.folder.write("web_1.csv", webCSV(1...10))]).files[0].result?.loaded == 10)
        #expect(try fx.journalMode() == "wal")
    }

    /// A first load goes in without the dedupe index and the indexes by day
    /// (BulkPageViewLoad, and the sessionizer's for sessions and visits); stopped midway,
    /// it must leave them in place and no rows, and the retry must dedupe as usual and
    /// build each of them again as the migrations define it (the code that rebuilds them
    /// holds its own copy of their SQL).
    @Test func interruptedFirstLoadKeepsTheDedupeIndex() throws {
        let fx = try Fixture()
        let big = try fx.folder.write("web_1.csv", webCSV(1...60_000) + webCSV(1...100, header: false))
        struct Killed: Error {}
        #expect(throws: Killed.self) {
            _ = try Ingest(warehouse: fx.warehouse, config: fx.config).run(files: [big]) { progress in
                if progress.rowsRead >= 50_000 { throw Killed() }
            }
        }
        #expect(try fx.count("fact_page_view") == 0)
        let indexes = { try fx.warehouse.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE tbl_name IN ('fact_page_view', 'fact_session', 'fact_visit') AND type = 'index'
                ORDER BY name
                """)
        } }
        let all = ["fact_page_view_by_day", "fact_page_view_source", "fact_session_by_day", "fact_visit_by_day"]
        #expect(try indexes() == all)
        let definitions = { (warehouse: Warehouse) in try warehouse.read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE name IN ('\(all.joined(separator: "', '"))') ORDER BY name")
        } }
        let migrated = try definitions(fx.warehouse)
        #expect(migrated.count == all.count)
        let retry = try #require(try fx.ingest([big]).files[0].result)
        #expect(retry.loaded == 60_000)
        #expect(retry.duplicate == 100)
        #expect(try indexes() == all)
        #expect(try definitions(fx.warehouse) == migrated)
        let summed = try fx.warehouse.read { db in try Int.fetchOne(db, sql: "SELECT SUM(views) FROM agg_page_view_referral") }
        #expect(summed == 60_000)
    }

    @Test func truncatedGzipLoadsTheHeadThenTheCompleteFileAddsOnlyTheRest() throws {
        let fx = try Fixture()
        let whole = try TestFolder.gzip(webCSV(1...3000))
        let cut = try fx.folder.writeBytes("web_partial.csv.gz", Array(whole.prefix(whole.count * 2 / 3)))
        let partial = try #require(try fx.ingest([cut]).files[0].result)
        #expect(partial.rejected == 1)
        #expect(partial.loaded > 500 && partial.loaded < 3000)
        let complete = try fx.folder.writeBytes("web_complete.csv.gz", whole)
        let rest = try #require(try fx.ingest([complete]).files[0].result)
        #expect(rest.duplicate == partial.loaded)
        #expect(rest.loaded == 3000 - partial.loaded)
        #expect(try fx.count("fact_page_view") == 3000)
    }

    @Test func rawVisitorIdsNeverReachTheDatabase() throws {
        let fx = try Fixture()
        let path = try fx.folder.write("web.csv", webCSV(1...20))
        _ = try fx.ingest([path])
        // The database file and its write-ahead log together hold everything written.
        var all = try Data(contentsOf: URL(fileURLWithPath: fx.folder.file("test.sqlite")))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: fx.folder.file("test.sqlite-wal"))) { all += wal }
        #expect(all.range(of: Data("visitor-3".utf8)) == nil)
        #expect(try fx.count("dim_person") == 7)
        let hash = try fx.warehouse.read { db in try String.fetchOne(db, sql: "SELECT person_hash FROM dim_person LIMIT 1") }
        #expect(hash?.count == 32)
    }

    @Test func databaseFileIsPrivateToItsOwner() throws {
        let fx = try Fixture()
        let attributes = try FileManager.default.attributesOfItem(atPath: fx.folder.file("test.sqlite"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func filesOfAllKindsFindTheirKind() throws {
        let fx = try Fixture()
        let clicks = try fx.folder.write("export1.csv", "timestamp,short_url,long_url,channel\n2024-05-01T10:00:00Z,https://bit.ly/a,https://blog.acme.example/p,twitter\n")
        let groups = try fx.folder.write("export2.jsonl", #"{"activity_id":"1","timestamp":"2024-05-01T10:00:00Z","group":"G","actor_id":"a","action":"post"}"# + "\n")
        let summary = try fx.ingest([clicks, groups])
        #expect(summary.files.map { $0.result?.kind } == ["clicks", "groups"])
        let unknown = try fx.folder.write("mystery.csv", "a,b\n1,2\n")
        let failed = try fx.ingest([unknown])
        #expect(failed.files[0].status == .failed)
        #expect(failed.files[0].note?.hasPrefix("cannot tell which kind of data this is (web, clicks, groups, subscribers or outcomes)") == true)
    }
}

@Suite struct FileDigestTests {
    @Test func digestIsTheStandardSHA256OfTheStoredBytes() throws {
        let folder = try TestFolder()
        #expect(try FileDigest.sha256(path: folder.write("abc.txt", "abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try FileDigest.sha256(path: folder.write("empty.txt", "")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // Longer than one read chunk (1 MiB): 2 MiB + 3 bytes of 'a'.
        let big = String(repeating: "a", count: (2 << 20) + 3)
        #expect(try FileDigest.sha256(path: folder.write("big.txt", big)) == SHA256.hash(Array(big.utf8)).hexString)
    }
}

/// The summary tables are kept up to date step by step (each file, each re-cut of
/// sessions, an erasure, a change of zone); at every step they must equal a rebuild
/// from the fact tables.
@Suite struct SummaryTests {
    func summaries(_ fx: Fixture) throws -> [[Row]] {
        try fx.warehouse.read { db in
            [try Row.fetchAll(db, sql: "SELECT * FROM agg_page_view_referral ORDER BY date_key, content_key, referrer_key"),
             try Row.fetchAll(db, sql: "SELECT * FROM agg_session_start ORDER BY date_key, property_key, referrer_key"),
             try Row.fetchAll(db, sql: "SELECT * FROM agg_visitor_day ORDER BY person_key, property_key, date_key, geo_key"),
             try Row.fetchAll(db, sql: "SELECT * FROM agg_visit_start ORDER BY date_key, referrer_key, landing_content_key, goal_mask"),
             try Row.fetchAll(db, sql: "SELECT * FROM agg_topic_visitor_day ORDER BY date_key, topic_key, person_key")]
        }
    }

    func expectEqualToRebuild(_ fx: Fixture, _ step: String) throws {
        let incremental = try summaries(fx)
        // Topic visitors only where topic pages were viewed (incrementalSummaries…).
        #expect(incremental.prefix(4).allSatisfy { !$0.isEmpty }, "\(step): summaries should not be empty")
        try fx.warehouse.write { db in try Summaries.rebuild(db) }
        #expect(try summaries(fx) == incremental, "\(step)")
    }

    /// A first load appends without the dedupe index and leaves its referral counts to
    /// the sessionizer; repeats found when the index is built are deleted, and the
    /// gathered input passes over them, so its counts are the table's. Here the repeats
    /// fall on three days.
    @Test func repeatsOfAFirstLoadAreTakenOutOfEveryDayTheyFellOn() throws {
        let fx = try Fixture()
        var text = "event_id,timestamp,visitor_id,url,referrer\n"
        for day in 1...4 {
            for n in 0..<5 { text += "d\(day)-\(n),2024-05-0\(day)T1\(n):00:00Z,v\(n),https://acme.example/p\(n % 2),https://t.co/\n" }
        }
        for day in 1...3 {  // days 1-3 again, whole
            for n in 0..<5 { text += "d\(day)-\(n),2024-05-0\(day)T1\(n):00:00Z,v\(n),https://acme.example/p\(n % 2),https://t.co/\n" }
        }
        let result = try #require(try fx.ingest([try fx.folder.write("web_1.csv", text)]).files[0].result)
        #expect(result.loaded == 20)
        #expect(result.duplicate == 15)
        let perDay = try fx.warehouse.read { db in
            try Int.fetchAll(db, sql: "SELECT SUM(views) FROM agg_page_view_referral GROUP BY date_key ORDER BY date_key")
        }
        #expect(perDay == [5, 5, 5, 5])
        #expect(fx.warehouse.lastSessionsInput == .presorted)
        #expect(fx.warehouse.lastReferralsCountedByCutter)
        try expectEqualToRebuild(fx, "first load with repeats")
    }

    @Test func incrementalSummariesEqualARebuildAtEveryStep() throws {
        let fx = try Fixture()
        // Pages 0 and 1 are a goal's and a topic's pages in the default config (contact;
        // the zero-trust post of topic "security"), so every summary has rows.
        let pages = ["https://acme.example/contact", "https://blog.acme.example/posts/zero-trust", "https://acme.example/p2", "https://acme.example/p3"]
        func row(_ id: String, _ time: String, _ visitor: Int, _ page: Int, _ referrer: Int) -> String {
            "\(id),\(time),v\(visitor),\(pages[page]),https://\(["t.co", "www.google.com", ""][referrer % 3])/\n"
        }
        var first = "event_id,timestamp,visitor_id,url,referrer\n"
        for v in 0..<40 { first += row("a\(v)", "2024-05-0\(1 + v % 3)T\(10 + v % 5):00:00Z", v, v % 4, v) }
        _ = try fx.ingest([try fx.folder.write("web_1.csv", first)])
        #expect(try fx.warehouse.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agg_topic_visitor_day") } == 10)
        #expect(try fx.warehouse.read { db in try Int.fetchOne(db, sql: "SELECT SUM(visits) FROM agg_visit_start WHERE goal_mask = 1") } == 10)
        try expectEqualToRebuild(fx, "first file")
        // Ten rows again (duplicates), and three known visitors back: an earlier view
        // (a new first view and first session), one that extends a session, a new day.
        // Three of forty visitors are touched, so only their sessions are re-cut.
        var second = "event_id,timestamp,visitor_id,url,referrer\n"
        for v in 30..<40 { second += row("a\(v)", "2024-05-0\(1 + v % 3)T\(10 + v % 5):00:00Z", v, v % 4, v) }
        second += row("b1", "2024-05-02T09:00:00Z", 1, 1, 2) + row("b2", "2024-05-03T12:10:00Z", 2, 0, 0)
            + row("b3", "2024-05-07T08:00:00Z", 5, 3, 1)
        let summary = try fx.ingest([try fx.folder.write("web_2.csv", second)])
        #expect(summary.files[0].result?.duplicate == 10)
        #expect(summary.files[0].result?.loaded == 3)
        try expectEqualToRebuild(fx, "second file")
        _ = try fx.warehouse.forget(rawID: "v3", role: .visitor, config: fx.config)
        try expectEqualToRebuild(fx, "after erasure")
        var berlin = fx.config
        berlin.timezone = "America/Los_Angeles"
        _ = try Ingest(warehouse: fx.warehouse, config: berlin).run(files: [])
        try expectEqualToRebuild(fx, "after a change of zone")
    }
}

@Suite struct MigrationTests {
    @Test func periodNumbersAreFilledInForDaysLoadedBeforeTheyExisted() throws {
        let folder = try TestFolder()
        let queue = try DatabaseQueue(path: folder.file("old.sqlite"))
        var migrator = DatabaseMigrator()
        Migrations.register(in: &migrator)
        try migrator.migrate(queue, upTo: "v5 summaries")
        try queue.write { db in
            // 30 December 2024 is in ISO week 1 of 2025.
            try db.execute(sql: """
                INSERT INTO dim_date (date_key, full_date, iso_week, month, quarter, year, previous_day, previous_week,
                                      previous_month, previous_quarter)
                VALUES (20241230, '2024-12-30', '2025-W01', '2024-12', '2024-Q4', 2024, '2024-12-29', '2024-W52', '2024-11', '2024-Q3')
                """)
        }
        try migrator.migrate(queue)
        let keys = try queue.read { db in try Int.fetchAll(db, sql: "SELECT week_key FROM dim_date UNION ALL SELECT month_key FROM dim_date UNION ALL SELECT quarter_key FROM dim_date") }
        #expect(keys == [202501, 202412, 20244])
        // New days get the same numbers from the loader.
        let values = DateLabels.values(for: CivilDate(year: 2024, month: 12, day: 30)!)
        guard case .int(let week) = values[10], case .int(let month) = values[11], case .int(let quarter) = values[12] else {
            Issue.record("period numbers missing"); return
        }
        #expect([week, month, quarter] == [Int]([202501, 202412, 20244]))
    }
}

/// Filtered traffic (bots, spam) is counted per quarter hour in memory and written out
/// every FilteredTrafficCounts.limit keys, so a year of bot traffic in one file stays
/// bounded; a key counted again after its first write gets a second row, and every
/// hit is still counted once. On both engines (the PostgreSQL loader stages its parts).
@Suite struct FilteredTrafficLimitTests {
    static let start: Int64 = 1_704_067_200  // 2024-01-01T00:00:00Z
    static let distinct = FilteredTrafficCounts.limit + 100

    static func file(in folder: TestFolder) throws -> String {
        let bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        var text = "event_id,timestamp,visitor_id,url,user_agent\n"
        for i in 0..<distinct {
            text += "b\(i),\(start + Int64(i) * 900),bot,https://acme.example/,\(bot)\n"
        }
        // The first quarter hour again, after it was written out with the first part.
        for i in 0..<50 { text += "again\(i),\(start + 60),bot,https://acme.example/,\(bot)\n" }
        text += "p1,\(start + 120),person,https://acme.example/,Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0\n"
        return try folder.write("web_bots.csv", text)
    }

    static func check(_ warehouse: WarehouseEngine, folder: TestFolder) throws {
        let summary = try Ingest(warehouse: warehouse, config: DefaultConfig.load()).run(files: [try file(in: folder)])
        let result = try #require(summary.files[0].result)
        #expect(result.read == distinct + 51)
        #expect(result.loaded == 1)
        func int(_ sql: String) throws -> Int64? { try warehouse.reading { db in try db.value(sql).int64 } }
        #expect(try int("SELECT SUM(hits) FROM fact_filtered_traffic") == Int64(distinct + 50))
        #expect(try int("SELECT COUNT(*) FROM fact_filtered_traffic") == Int64(distinct + 1))
        #expect(try int("SELECT SUM(hits) FROM fact_filtered_traffic WHERE bucket_at = \(start)") == 51)
    }

    @Test func sqlite() throws {
        let fx = try Fixture()
        try Self.check(fx.warehouse, folder: fx.folder)
    }

    @Test(.enabled(if: TestPostgresServer.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
    func postgres() throws {
        let folder = try TestFolder()
        try TestPostgresServer.withDatabase { try Self.check(PostgresWarehouse(conninfo: $0), folder: folder) }
    }
}
