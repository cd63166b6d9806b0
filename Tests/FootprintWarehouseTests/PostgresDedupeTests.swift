import Foundation
import Testing
import FootprintTestSupport
import FootprintConfig
import FootprintNormalize
import FootprintPipeline
@testable import FootprintStaging
@testable import FootprintWarehouse

/// Dedupe on PostgreSQL, with chosen hashes (HashCollisionTests does the same on SQLite):
/// two ids under one hash are both kept, repeats are duplicates, a later file finds every
/// id again — whether the first file went into an empty table (appended, repeats dropped
/// first) or row by row.
@Suite(.enabled(if: TestPostgresServer.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
struct PostgresDedupeTests {
    static let hash = HashCollisionTests.hash

    /// Stages `events` as one file and loads them; returns (loaded, duplicate).
    static func load(_ events: [CanonicalEvent], file: Int64, into pg: PGConnection) throws -> (Int, Int) {
        try pg.execute("BEGIN")
        defer { try? pg.execute("COMMIT") }
        try PostgresStage.create(on: pg)
        try PostgresStage.empty(on: pg)
        try pg.execute("INSERT INTO load_files (load_file_id, path, content_sha256, kind, format, rows_read, rows_loaded, rows_duplicate, rows_rejected, started_at, finished_at) VALUES (\(file), 'f\(file)', 'sha\(file)', 'web', 'csv', 0, 0, 0, 0, 0, 0)")
        let classifier = ReferrerClassifier(overrides: [:], ownedHosts: [])
        var rows: [[SQLValue]] = []
        for (index, event) in events.enumerated() {
            rows.append(PostgresStage.row(event, ordinal: index + 1, names: PropertyNames(names: [:]), classifier: classifier).values)
        }
        try pg.insert(into: "stage_page_view", columns: PostgresStage.columns(of: "stage_page_view"), rows: rows)
        try pg.execute("INSERT INTO stage_date SELECT 20240501, '2024-05-01', '2024-W18', '2024-05', '2024-Q2', 2024, '2024-04-30', '2024-W17', '2024-04', '2024-Q1', 202418, 202405, 20242")
        try pg.execute("INSERT INTO dim_date SELECT * FROM stage_date ON CONFLICT DO NOTHING")
        let counts = try PostgresFactLoad(pg: pg, fileID: file).run(staged: ["stage_page_view": events.count])
        return (counts.loaded, counts.duplicate)
    }

    static func withDatabase(_ body: (PGConnection) throws -> Void) throws {
        try TestPostgresServer.withDatabase { try body(PostgresWarehouse(conninfo: $0).connection) }
    }

    static func stored(_ pg: PGConnection) throws -> [String: Int64] {
        var byID: [String: Int64] = [:]
        for row in try pg.rows("SELECT source_id, source_hash FROM fact_page_view") { byID[row[0].text!] = row[1].int64! }
        return byID
    }

    @Test func collidingIdsAreKeptAndRepeatsCounted() throws {
        try Self.withDatabase { pg in
            // a and b share a hash; a comes twice; c sits naturally on the next hash.
            #expect(try Self.load(HashCollisionTests.firstFile, file: 1, into: pg) == (3, 1))
            let first = try Self.stored(pg)
            #expect(first == ["a": Self.hash, "c": Self.hash + 1, "b": Self.hash + 2])
            // Every id found again where it went; d, new, probes past all three.
            let second = [HashCollisionTests.view("b", hash: Self.hash), HashCollisionTests.view("c", hash: Self.hash + 1),
                          HashCollisionTests.view("d", hash: Self.hash)]
            #expect(try Self.load(second, file: 2, into: pg) == (1, 2))
            #expect(try Self.stored(pg)["d"] == Self.hash + 3)
        }
    }

    @Test func aFirstLoadDropsItsRepeatsKeepingTheFirst() throws {
        try Self.withDatabase { pg in
            let events = [HashCollisionTests.view("x", hash: 5, visitor: "v1"), HashCollisionTests.view("x", hash: 5, visitor: "v2"),
                          HashCollisionTests.view("y", hash: 6)]
            #expect(try Self.load(events, file: 1, into: pg) == (2, 1))
            // The first copy (line order) is the one kept: visitor v1's.
            let person = try pg.value("SELECT person_key FROM fact_page_view WHERE source_id = 'x'").int64
            #expect(person == PersonHasher(key: [1, 2, 3]).person("v1").key)
            #expect(try pg.value("SELECT indexdef FROM pg_indexes WHERE indexname = 'fact_page_view_source'").text?.contains("UNIQUE") == true)
            #expect(try Meta.get(pg, Sessionizer.firstLoadMark) == "everyone")
        }
    }
}

/// A JSON array written on one line (an API dump) gives every element the same line: the
/// staged rows are told apart and ordered by their place in the file, as SQLite's loader
/// takes them. A first load into an empty table, with a repeat and two views of one
/// visitor in the same second (the session's landing page is the first of them).
@Suite(.enabled(if: TestPostgresServer.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
struct PostgresOneLineArrayTests {
    static let file = #"[{"event_id":"e1","timestamp":"2024-05-01T10:00:00Z","visitor_id":"v1","url":"https://acme.example/first"},"# +
        #"{"event_id":"e2","timestamp":"2024-05-01T10:00:00Z","visitor_id":"v1","url":"https://acme.example/second"},"# +
        #"{"event_id":"e3","timestamp":"2024-05-01T11:00:00Z","visitor_id":"v2","url":"https://acme.example/third"},"# +
        #"{"event_id":"e2","timestamp":"2024-05-01T10:00:00Z","visitor_id":"v1","url":"https://acme.example/second"},"# +
        #"{"event_id":"e4","timestamp":"2024-05-01T11:00:00Z","visitor_id":"v2","url":"https://acme.example/fourth"}]"#

    /// Page views in key order, and each session's landing page.
    static func loaded(_ db: WarehouseEngine) throws -> [String] {
        try db.reading { sql in
            try sql.rows("SELECT source_id FROM fact_page_view ORDER BY page_view_key").map { $0[0].text ?? "" }
                + sql.rows("""
                    SELECT c.url FROM fact_session AS s JOIN dim_content AS c ON c.content_key = s.landing_content_key
                    ORDER BY s.started_at
                    """).map { $0[0].text ?? "" }
        }
    }

    @Test func aFirstLoadKeepsTheArraysOrder() throws {
        let folder = try TestFolder()
        var config = DefaultConfig.load()
        config.hashKey = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e"
        config.inputs = [InputSpec(match: "web*", kind: .web, format: .jsonarray)]
        let path = try folder.write("web_1.json", Self.file)
        let sqlite = try Warehouse(path: folder.file("db.sqlite"))
        let onSQLite = try Ingest(warehouse: sqlite, config: config).run(files: [path])
        #expect(onSQLite.files.first?.result?.loaded == 4)
        let expected = ["e1", "e2", "e3", "e4", "https://acme.example/first", "https://acme.example/third"]
        #expect(try Self.loaded(sqlite) == expected)
        try TestPostgresServer.withDatabase { conninfo in
            let postgres = try PostgresWarehouse(conninfo: conninfo)
            let onPostgres = try Ingest(warehouse: postgres, config: config).run(files: [path])
            #expect(onPostgres.files.map(\.result) == onSQLite.files.map(\.result))
            #expect(try Self.loaded(postgres) == expected)
        }
    }
}

/// What every PostgreSQL run sets up: no JIT on its connections (reports' plans were
/// compiled at over a second a statement), and a run that filled tables without
/// statistics analyses them itself (the first report after a first load otherwise ran
/// on guessed plans) — `last_analyze` is set only by an explicit ANALYZE, never by
/// autovacuum, so a test cannot pass by autovacuum's luck. A later run into filled
/// tables leaves them to autovacuum.
@Suite(.enabled(if: TestPostgresServer.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
struct PostgresRunSettingsTests {
    @Test func connectionsRunWithoutJIT() throws {
        try TestPostgresServer.withDatabase { conninfo in
            let jit = try PGConnection(conninfo).value("SHOW jit").text
            #expect(jit == "off")
        }
    }

    @Test func aRunAnalysesTheTablesItFilledFirst() throws {
        let folder = try TestFolder()
        try TestPostgresServer.withDatabase { conninfo in
            let warehouse = try PostgresWarehouse(conninfo: conninfo)
            func analysed(_ table: String) throws -> String? {
                try PGConnection(conninfo).value("""
                    SELECT last_analyze::text FROM pg_stat_user_tables WHERE relname = :table
                    """, ["table": .text(table)]).text
            }
            let first = try folder.write("web_1.csv", "event_id,timestamp,visitor_id,url\n"
                + (1...50).map { "e\($0),2024-05-01T10:\(String(format: "%02d", $0 % 60)):00Z,v\($0 % 5),https://acme.example/p\($0 % 3)" }
                    .joined(separator: "\n") + "\n")
            _ = try Ingest(warehouse: warehouse, config: DefaultConfig.load()).run(files: [first])
            let afterFirst = try analysed("fact_page_view")
            #expect(afterFirst != nil)
            #expect(try analysed("fact_session") != nil)
            let second = try folder.write("web_2.csv", "event_id,timestamp,visitor_id,url\nx1,2024-05-02T10:00:00Z,v1,https://acme.example/p1\n")
            _ = try Ingest(warehouse: warehouse, config: DefaultConfig.load()).run(files: [second])
            #expect(try analysed("fact_page_view") == afterFirst)
        }
    }
}

/// A night touches a few thousand visitors of a large history: its statements must find
/// them through the indexes by person and hash, not scan every fact. Told how many
/// visitors a night touched, PostgreSQL's planner judged a scan cheaper than that many
/// index look-ups — and scanned 2 million page views, sessions and visitor days on every
/// night (bench-nightly: a third of the night). Plans of the sessionizer's and the
/// loader's own SQL over a history of 300,000 page views and 3,000 touched visitors, and
/// of the thread pass over 100,000 group activities, 500 of them new.
@Suite(.enabled(if: TestPostgresServer.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
struct PostgresNightPlanTests {
    @Test func aNightLooksUpItsVisitorsAndHashesByIndex() throws {
        try TestPostgresServer.withDatabase { conninfo in
            _ = try PostgresWarehouse(conninfo: conninfo)
            let pg = try PGConnection(conninfo)
            try PostgresStage.create(on: pg)
            try pg.execute("""
                INSERT INTO fact_page_view (source_hash, source_id, date_key, viewed_at, person_key, property_key,
                    content_key, referrer_key, geo_key, load_file_id)
                SELECT i * 7919, 'e' || i, 20240101, 1704067200 + i, i % 60000, 1, 1, 1, 1, 1
                FROM generate_series(1::bigint, 300000) AS i;
                INSERT INTO fact_session (person_key, property_key, date_key, started_at, ended_at, session_number,
                    page_count, referrer_key, landing_content_key)
                SELECT i % 60000, 1, 20240101, i, i, 1, 1, 1, 1 FROM generate_series(1::bigint, 100000) AS i;
                INSERT INTO fact_visit (person_key, date_key, started_at, ended_at, page_count, referrer_key,
                    landing_content_key, goal_mask)
                SELECT i % 60000, 20240101, i, i, 1, 1, 1, 0 FROM generate_series(1::bigint, 100000) AS i;
                INSERT INTO agg_visitor_day (person_key, property_key, date_key, geo_key, views, engaged_views)
                SELECT i, 1, 20240101 + i % 28, 1, 1, 0 FROM generate_series(1::bigint, 100000) AS i;
                INSERT INTO pending_sessions (person_key) SELECT i * 20 FROM generate_series(1::bigint, 3000) AS i;
                INSERT INTO stage_page_view (line, source_hash, source_id)
                SELECT i, (i * 15) * 7919, 'n' || i FROM generate_series(1::bigint, 20000) AS i;
                -- Threads of five (a post and four answers), the last 500 activities new.
                INSERT INTO fact_group_activity (activity_key, source_hash, source_id, date_key, occurred_at, group_key,
                    person_key, action, parent_source_id, parent_activity_key, parent_person_key, activity_count,
                    geo_key, title, body, load_file_id, thread_root_key, depth)
                SELECT i, i, 'a' || i, 20240101, i, 1, i % 900, CASE WHEN i % 5 = 0 THEN 'post' ELSE 'comment' END,
                       CASE WHEN i % 5 = 0 THEN NULL ELSE 'a' || (i - 1) END,
                       CASE WHEN i % 5 = 0 THEN NULL ELSE i - 1 END, CASE WHEN i % 5 = 0 THEN NULL ELSE (i - 1) % 900 END,
                       1, 1, '', '', 1, i - i % 5, i % 5
                FROM generate_series(5::bigint, 100004) AS i;
                ANALYZE;
                """)
            func plan(_ sql: String) throws -> String {
                try pg.rows("EXPLAIN " + sql).compactMap { $0[0].text }.joined(separator: "\n")
            }
            let touched = try PostgresSessionizer.touched(pg)
            let read = try plan("SELECT person_key, viewed_at, page_view_key FROM fact_page_view WHERE " + touched)
            #expect(read.contains("fact_page_view_by_person"), "\(read)")
            #expect(!read.contains("Seq Scan on fact_page_view"), "\(read)")
            for table in ["fact_session", "fact_visit", "agg_visitor_day"] {
                let delete = try plan("DELETE FROM \(table) WHERE " + touched)
                #expect(!delete.contains("Seq Scan on \(table)"), "\(delete)")
            }
            let probe = try plan(PostgresFactLoad.movingCollisions(table: "fact_page_view", stage: "stage_page_view",
                                                                   key: ["source_hash"]))
            #expect(probe.contains("fact_page_view_source"), "\(probe)")
            #expect(!probe.contains("Seq Scan on fact_page_view"), "\(probe)")
            // The thread pass: the activities awaiting a parent, and a night's walk down
            // the threads of the new ones (a walk of every thread may hash them all).
            // By the partial index: without it, a sequential scan.
            let scan = try plan("SELECT activity_key FROM fact_group_activity WHERE parent_source_id IS NOT NULL AND parent_activity_key IS NULL")
            #expect(scan.contains("fact_group_activity_parent_unresolved"), "\(scan)")
            try pg.execute("BEGIN")
            var walk = ""
            try DerivedFacts.joiningByIndex(pg, when: true) { walk = try plan(DerivedFacts.walk(after: 99_504)) }
            #expect(!walk.contains("Seq Scan on fact_group_activity"), "\(walk)")
            #expect(try pg.value("SHOW enable_hashjoin").text == "on")
            try pg.execute("COMMIT")
        }
    }
}
