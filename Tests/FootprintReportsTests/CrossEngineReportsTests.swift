import Foundation
import Testing
import FootprintConfig
import FootprintOutput
import FootprintPipeline
import FootprintReports
import FootprintTestSupport
import FootprintWarehouse
import GRDB

/// The same star schema on SQLite and on a real PostgreSQL server gives byte-identical
/// report files, for every report and period: the hand-worked fixtures and the bundled
/// sample data, loaded into SQLite and copied to PostgreSQL (WarehouseCopy).
/// Runs when FOOTPRINT_TEST_PG names a server (scripts/test starts one).
@Suite(.enabled(if: TestPostgres.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
struct CrossEngineReportsTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../sample-data").standardized.path

    /// Writes `files` (name → text) into `folder`/inbox and returns their paths.
    static func inbox(_ files: [(String, String)], in folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        return try files.map { name, text in
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/inbox/" + name))
            return folder + "/inbox/" + name
        }
    }

    /// Loads `files` (name → text) into a new SQLite warehouse.
    static func sqlite(_ files: [(String, String)], config: FootprintConfig, folder: String) throws -> Warehouse {
        let paths = try inbox(files, in: folder)
        let warehouse = try Warehouse(path: folder + "/db.sqlite")
        let summary = try Ingest(warehouse: warehouse, config: config).run(files: paths)
        #expect(summary.filesFailed == 0)
        return warehouse
    }

    /// Every report for every period, on both engines, compared file by file.
    static func expectSameReports(_ warehouse: Warehouse, config: FootprintConfig,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        try TestPostgres.withDatabase { postgres in
            let copied = try WarehouseCopy.copy(from: warehouse, to: postgres)
            #expect((copied["fact_page_view"] ?? 0) > 0, sourceLocation: sourceLocation)
            try expectSameReports(warehouse, postgres, config: config, "copied", sourceLocation: sourceLocation)
        }
    }

    /// Loads `files` with each engine's own loader (SQLite and PostgreSQL) and compares
    /// every report of every period, and the load counts.
    /// `server` gives the warehouse to compare with SQLite's: a fresh database on the test
    /// server, or a distributed schema on the Citus cluster.
    static func expectSameAfterLoading(_ files: [(String, String)], config given: FootprintConfig, folder: String,
                                       server: ((PostgresWarehouse) throws -> Void) throws -> Void = TestPostgres.withDatabase,
                                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        // One hash key for both databases (each would make its own): pseudonyms agree.
        var config = given
        if config.hashKey == nil { config.hashKey = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e" }
        let paths = try inbox(files, in: folder)
        let sqlite = try Warehouse(path: folder + "/db.sqlite")
        let onSQLite = try Ingest(warehouse: sqlite, config: config).run(files: paths)
        try server { postgres in
            let onPostgres = try Ingest(warehouse: postgres, config: config).run(files: paths)
            #expect(onPostgres.files.map(\.result) == onSQLite.files.map(\.result), sourceLocation: sourceLocation)
            #expect(onPostgres.files.map(\.status) == onSQLite.files.map(\.status), sourceLocation: sourceLocation)
            try expectSameReports(sqlite, postgres, config: config, "loaded", sourceLocation: sourceLocation)
        }
    }

    /// Every report of every period from `other`, compared file by file with SQLite's;
    /// at least 30 of them must have rows (a check of empty files proves little).
    static func expectSameReports(_ sqlite: Warehouse, _ other: ReportDatabase, config: FootprintConfig, _ what: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        var compared = 0
        for period in ReportScope.Period.allCases {
            let scope = ReportScope(period: period).configured(by: config)
            for (lite, theirs) in zip(try Reports.compute(from: sqlite, scope: scope), try Reports.compute(from: other, scope: scope)) {
                let a = CSVEncoder.encode(lite), b = CSVEncoder.encode(theirs)
                #expect(a == b, "\(what): \(period) \(lite.name).csv: \(firstDifference(a, b))", sourceLocation: sourceLocation)
                if !lite.rows.isEmpty { compared += 1 }
            }
        }
        #expect(compared >= 30, "only \(compared) non-empty report files compared", sourceLocation: sourceLocation)
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let left = a.split(separator: "\r\n", omittingEmptySubsequences: false)
        let right = b.split(separator: "\r\n", omittingEmptySubsequences: false)
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? String(left[index]) : "<none>", r = index < right.count ? String(right[index]) : "<none>"
            if l != r { return "line \(index + 1): SQLite \(l) | PostgreSQL \(r)" }
        }
        return "same"
    }

    @Test func handComputedFixture() throws {
        let folder = NSTemporaryDirectory() + "footprint-engines-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try ConfigLoader.parse(HandComputedFixture.config)
        let warehouse = try Self.sqlite([("web.csv", HandComputedFixture.web), ("clicks.csv", HandComputedFixture.clicks),
                                         ("groups.jsonl", HandComputedFixture.groups)], config: config, folder: folder)
        try Self.expectSameReports(warehouse, config: config)
    }

    @Test func handComputedFixtureLoadedByBothEngines() throws {
        let folder = NSTemporaryDirectory() + "footprint-engines-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.expectSameAfterLoading([("web.csv", HandComputedFixture.web), ("clicks.csv", HandComputedFixture.clicks),
                                         ("groups.jsonl", HandComputedFixture.groups)],
                                        config: try ConfigLoader.parse(HandComputedFixture.config), folder: folder)
    }

    @Test func monitoringFixtureLoadedByBothEngines() throws {
        let folder = NSTemporaryDirectory() + "footprint-engines-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.expectSameAfterLoading(MonitoringFixture.files, config: try ConfigLoader.parse(MonitoringFixture.config()), folder: folder)
    }

    @Test func sampleDataLoadedByBothEngines() throws {
        let folder = NSTemporaryDirectory() + "footprint-engines-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.expectSameAfterLoading(try Self.sampleFiles(), config: DefaultConfig.load(), folder: folder)
    }

    /// The hand-worked fixture and page views of a canonical URL of 6,000 bytes, in two
    /// files (the second finds it already stored), and clicks on a short link of 3,015
    /// bytes to it: a B-tree entry holds about 2,700 bytes, and PostgreSQL's unique
    /// constraints on those URLs stopped the files there.
    /// Hex of a pseudo-random sequence: PostgreSQL compresses an index entry first, and
    /// a repeated pattern of any length fits once compressed.
    static let longURL = "https://blog.acme.example/posts/" + incompressible(746 * 8, seed: 0x9E37_79B9_7F4A_7C15)
    /// A name of 3,000 pseudo-random hex digits: a repeated pattern would compress under
    /// PostgreSQL's B-tree limit and pass without the exclusion constraints.
    static func longName(_ seed: UInt64) -> String { incompressible(3_000, seed: seed) }

    static func incompressible(_ length: Int, seed: UInt64) -> String {
        var state = seed
        let words = (0..<(length + 7) / 8).map { _ -> String in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return String(state >> 32, radix: 16).leftPadded(to: 8)
        }
        return String(words.joined().prefix(length))
    }
    static let longURLFiles = [
        ("web.csv", HandComputedFixture.web), ("clicks.csv", HandComputedFixture.clicks),
        ("groups.jsonl", HandComputedFixture.groups),
        ("web-long.csv", """
            event_id,timestamp,visitor_id,url,referrer,country,region,city,engaged_seconds
            long1,2024-04-11T08:00:00Z,v1,\(longURL),https://news.example/story,DE,Bavaria,Munich,30
            long2,2024-04-11T09:00:00Z,v9,\(longURL)?utm_source=x,,FR,,Paris,
            """),
        ("clicks-long.csv", """
            click_id,timestamp,short_url,long_url,referrer,channel,country
            longc1,2024-04-11T10:00:00Z,https://bit.ly/\(longURL.suffix(3_000)),\(longURL),https://t.co/x,twitter,IN
            longc2,2024-04-12T10:00:00Z,https://bit.ly/\(longURL.suffix(3_000)),\(longURL),,email,US
            """),
        ("web-long-again.csv", """
            event_id,timestamp,visitor_id,url,referrer,country,region,city,engaged_seconds
            long3,2024-05-02T10:00:00Z,v9,\(longURL),https://t.co/xyz,FR,,Paris,12
            long4,2024-05-02T11:00:00Z,v7,https://acme.example/pricing,https://\(longName(1)).example/,DE,\(longName(2)),\(longName(3)),
            """),
        ("clicks-long-channel.csv", """
            click_id,timestamp,short_url,long_url,referrer,channel,country
            longc3,2024-05-03T10:00:00Z,https://bit.ly/L1,https://acme.example/blog/launch,,\(longName(4)),DE
            """),
        ("groups-long.jsonl", """
            {"activity_id":"lg1","timestamp":"2024-05-03T12:00:00Z","platform":"linkedin","group":"\(longName(5))","actor_id":"m1","action":"post","text":"Acme","country":"DE"}
            """),
    ]

    @Test func longURLsLoadedByBothEngines() throws {
        let folder = NSTemporaryDirectory() + "footprint-engines-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(Self.longURL.utf8.count == 6_000)
        try Self.expectSameAfterLoading(Self.longURLFiles, config: try ConfigLoader.parse(HandComputedFixture.config), folder: folder)
        // The three rows are one content item with its three views (not dropped as repeats).
        let sqlite = try Warehouse(path: folder + "/db.sqlite")
        let views = try sqlite.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM fact_page_view AS f JOIN dim_content AS c ON c.content_key = f.content_key
                WHERE c.url = ?
                """, arguments: [Self.longURL])
        }
        #expect(views == 3)
        let clicks = try sqlite.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM fact_click AS f JOIN dim_short_link AS s ON s.short_link_key = f.short_link_key
                WHERE length(s.short_url) > 3000
                """)
        }
        #expect(clicks == 2)
        // The long names were loaded (on PostgreSQL too: the reports above are the same).
        let names = try sqlite.read { db in
            try String.fetchAll(db, sql: """
                SELECT 'referrer' FROM dim_referrer WHERE length(domain) > 3000
                UNION ALL SELECT 'region city' FROM dim_geography WHERE length(region) = 3000 AND length(city) = 3000
                UNION ALL SELECT 'channel' FROM dim_channel WHERE length(name) = 3000
                UNION ALL SELECT 'group' FROM dim_group WHERE length(name) = 3000
                """)
        }
        #expect(names == ["referrer", "region city", "channel", "group"])
    }

    static func sampleFiles() throws -> [(String, String)] {
        var files: [(String, String)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: sample).sorted() where name.hasSuffix(".gz") {
            files.append((String(name.dropLast(3)), try systemGunzip(path: sample + "/" + name)))
        }
        return files
    }

    @Test func monitoringFixture() throws {
        let folder = NSTemporaryDirectory() + "footprint-engines-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try ConfigLoader.parse(MonitoringFixture.config())
        let warehouse = try Self.sqlite(MonitoringFixture.files, config: config, folder: folder)
        try Self.expectSameReports(warehouse, config: config)
    }

    @Test func bundledSampleData() throws {
        let folder = NSTemporaryDirectory() + "footprint-engines-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = DefaultConfig.load()
        let warehouse = try Self.sqlite(try Self.sampleFiles(), config: config, folder: folder)
        try Self.expectSameReports(warehouse, config: config)
    }
}

/// The PostgreSQL server the tests use (FOOTPRINT_TEST_PG, a URI), and a fresh database
/// on it per test, dropped afterwards, so tests running at once never meet. With
/// FOOTPRINT_TEST_CITUS (the coordinator of a Citus cluster, a URI), the same tests run
/// again there, each in a schema of its own, distributed (`footprint db distribute`).
enum TestPostgres {
    static let uri = TestPostgresServer.uri
    static let citus = TestPostgresServer.citus

    static func withDatabase<T>(_ body: (PostgresWarehouse) throws -> T) throws -> T {
        try TestPostgresServer.withDatabase { try body(PostgresWarehouse(conninfo: $0)) }
    }

    /// A distributed warehouse in a schema of its own on the Citus cluster; `options`:
    /// more server settings for its connections (`-cname=value`).
    static func withCitus<T>(options: String = "", _ body: (PostgresWarehouse) throws -> T) throws -> T {
        try TestPostgresServer.withCitusSchema(options: options) { conninfo in
            let warehouse = try PostgresWarehouse(conninfo: conninfo)
            let summary = try warehouse.distribute()
            #expect(summary.distributed.contains("fact_page_view by person_key"))
            return try body(warehouse)
        }
    }
}

/// The cross-engine tests again on a Citus cluster (FOOTPRINT_TEST_CITUS): loaded by
/// the loader into the distributed schema, the same report files as SQLite's.
@Suite(.enabled(if: TestPostgres.citus != nil, Comment(rawValue: TestPostgresServer.citusSkipped)))
struct CitusReportsTests {
    static func expectSameOnCitus(_ files: [(String, String)], config: FootprintConfig) throws {
        let folder = NSTemporaryDirectory() + "footprint-citus-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try CrossEngineReportsTests.expectSameAfterLoading(files, config: config, folder: folder, server: { try TestPostgres.withCitus($0) })
    }

    @Test func handComputedFixture() throws {
        try Self.expectSameOnCitus([("web.csv", HandComputedFixture.web), ("clicks.csv", HandComputedFixture.clicks),
                                    ("groups.jsonl", HandComputedFixture.groups)], config: try ConfigLoader.parse(HandComputedFixture.config))
    }

    @Test func monitoringFixture() throws {
        try Self.expectSameOnCitus(MonitoringFixture.files, config: try ConfigLoader.parse(MonitoringFixture.config()))
    }

    @Test func longURLs() throws {
        try Self.expectSameOnCitus(CrossEngineReportsTests.longURLFiles, config: try ConfigLoader.parse(HandComputedFixture.config))
    }

    @Test func sampleData() throws {
        try Self.expectSameOnCitus(try CrossEngineReportsTests.sampleFiles(), config: DefaultConfig.load())
    }

    /// A file reaches the workers as one intermediate result, which Citus caps (1 GB by
    /// default: a file of 10 million page views stopped at it). The server's cap here is
    /// 1 kB; footprint's connections lift it, and load and report as SQLite does.
    @Test func filesLargerThanTheIntermediateResultCap() throws {
        let folder = NSTemporaryDirectory() + "footprint-citus-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try CrossEngineReportsTests.expectSameAfterLoading(
            [("web.csv", HandComputedFixture.web), ("clicks.csv", HandComputedFixture.clicks), ("groups.jsonl", HandComputedFixture.groups)],
            config: try ConfigLoader.parse(HandComputedFixture.config), folder: folder,
            server: { try TestPostgres.withCitus(options: "-ccitus.max_intermediate_result_size=1", $0) })
    }
}

/// The nightly job on both engines: the sample data in nightly loads, late rows, a
/// forget and a change of time zone; after each step the report files written (through
/// each engine's report cache) are byte for byte the same.
@Suite(.enabled(if: TestPostgres.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
struct CrossEngineNightlyTests {
    @Test func nightlyRunsGiveTheSameFilesOnBothEngines() throws {
        try TestPostgres.withDatabase { try Self.nightly(on: $0) }
    }

    /// The same on a Citus cluster (FOOTPRINT_TEST_CITUS), distributed.
    @Test(.enabled(if: TestPostgres.citus != nil, Comment(rawValue: TestPostgresServer.citusSkipped)))
    func nightlyRunsGiveTheSameFilesOnCitus() throws {
        try TestPostgres.withCitus { try Self.nightly(on: $0) }
    }

    static func nightly(on postgres: PostgresWarehouse) throws {
        let folder = NSTemporaryDirectory() + "footprint-engines-nightly-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = DefaultConfig.load()
        config.hashKey = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e"
        let sqlite = try Warehouse(path: folder + "/db.sqlite")
        do {
            var step = 0
            func night(_ files: [String: [String]], _ what: String, reloading: Int? = nil) throws {
                step += 1
                var paths: [String] = []
                for (name, lines) in files {
                    let path = folder + "/inbox/" + name.replacingOccurrences(of: ".", with: "-\(reloading ?? step).")
                    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
                    paths.append(path)
                }
                var onSQLite = Ingest(warehouse: sqlite, config: config), onPostgres = Ingest(warehouse: postgres, config: config)
                onSQLite.reload = reloading != nil
                onPostgres.reload = reloading != nil
                let lite = try onSQLite.run(files: paths.sorted())
                let pg = try onPostgres.run(files: paths.sorted())
                #expect(lite.files.allSatisfy { $0.status == .loaded }, "\(what)")
                #expect(pg.files.map(\.result) == lite.files.map(\.result), "\(what)")
                try expectSameFiles(what)
                try expectSameSubscriberSummary(what)
            }
            // The loaders' subscriber summary (the reports' files would agree as long as
            // both drifted the same way; the summary must be the same row for row).
            var subscriberRowsCompared = 0
            func expectSameSubscriberSummary(_ what: String) throws {
                for sql in ["SELECT list, person_key, subscriptions, from_day, to_day FROM agg_subscriber_span ORDER BY list, person_key",
                            "SELECT list, date_key, started, ended FROM agg_subscriber_day ORDER BY list, date_key"] {
                    let lite = try sqlite.reading { try $0.rows(sql) }, pg = try postgres.reading { try $0.rows(sql) }
                    #expect(lite == pg, "\(what): \(sql)")
                    subscriberRowsCompared += lite.count
                }
            }
            func expectSameFiles(_ what: String) throws {
                let liteOut = folder + "/out-sqlite", pgOut = folder + "/out-pg"
                try ReportWriter(warehouse: sqlite, config: config).write(to: liteOut, scope: ReportScope(), byteOrderMark: false)
                try ReportWriter(warehouse: postgres, config: config).write(to: pgOut, scope: ReportScope(), byteOrderMark: false)
                for name in Reports.fileNames {
                    let expected = try String(contentsOfFile: liteOut + "/" + name, encoding: .utf8)
                    let got = try String(contentsOfFile: pgOut + "/" + name, encoding: .utf8)
                    #expect(got == expected, "\(what): \(name): \(CrossEngineReportsTests.firstDifference(expected, got))")
                }
            }
            // The fortnights of the sample, two months a night.
            let fortnights = try IncrementalReportsTests.nights()
            var nights: [Int: [String: [String]]] = [:]
            for (fortnight, files) in fortnights {
                for (name, lines) in files {
                    var merged = nights[fortnight / 4, default: [:]][name] ?? []
                    merged += merged.isEmpty || !name.hasSuffix(".csv") ? lines : Array(lines.dropFirst())
                    nights[fortnight / 4, default: [:]][name] = merged
                }
            }
            #expect(nights.count >= 8)
            var stepOfNight: [Int: Int] = [:]
            for key in nights.keys.sorted() {
                try night(nights[key]!, "night \(key)")
                stepOfNight[key] = step
            }
            try night(["web.csv": ["event_id,timestamp,visitor_id,url,referrer,country",
                                   "late1,2023-06-14T10:00:00Z,v000677,https://blog.acme.example/posts/edge-computing,https://news.ycombinator.com/,DE"]],
                      "late page view")
            try night(["groups.jsonl": [#"{"activity_id": "late2", "timestamp": "2024-05-02T09:00:00Z", "platform": "linkedin", "group": "CIO Circle", "actor_id": "m00002", "action": "comment", "parent_id": "a0000002", "text": "See this", "url": "https://blog.acme.example/posts/cloud-migration"}"#]],
                      "late reply in an old thread")
            try night(["subscribers.csv": ["subscriber_id,subscribed_at,unsubscribed_at,list", "m00000,2024-04-09T18:09:02Z,2024-05-02T00:00:00Z,rss"]],
                      "late unsubscription")
            // One night's files read again (`ingest --reload`), as after a mapping fix.
            let reloaded = nights.keys.sorted()[nights.count / 2]
            try night(nights[reloaded]!, "reload of night \(reloaded)", reloading: stepOfNight[reloaded]!)
            // Each step below must change the files, or equal files would prove nothing.
            func sqliteFiles() throws -> [String] {
                try Reports.fileNames.map { try String(contentsOfFile: folder + "/out-sqlite/" + $0, encoding: .utf8) }
            }
            var before = try sqliteFiles()
            let forgotten = try [sqlite, postgres].map { (warehouse: WarehouseEngine) in
                [try warehouse.forget(rawID: "v000044", role: .visitor, config: config),
                 try warehouse.forget(rawID: "m00461", role: .actor, config: config)]
            }
            #expect(forgotten[0] == forgotten[1] && forgotten[0].allSatisfy(\.found), "\(forgotten)")
            try expectSameFiles("forget a visitor and a member")
            #expect(try sqliteFiles() != before, "the forget changed no report")
            before = try sqliteFiles()
            config.timezone = "America/New_York"
            try night([:], "time zone changed to New York")
            #expect(try sqliteFiles() != before, "the change of zone changed no report")
            // Equal empty summaries would prove nothing.
            #expect(subscriberRowsCompared > 0)
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
