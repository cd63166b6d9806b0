import Foundation
import Testing
import FootprintTestSupport

/// Faults from outside: a full disk, hostile configuration.
@Suite struct FaultTests {
    @Test func fullDiskExitsThreeAndKeepsDatabaseAndReports() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        try NightlyRunTests.webRows(200).write(toFile: folder + "/inbox/web_1.csv", atomically: true, encoding: .utf8)
        let first = try CLI.run(["run", "--db", "d.sqlite", "--out", "reports", "inbox"], in: folder)
        #expect(first.status == 0)
        let before = try NightlyRunTests.reportContents(folder + "/reports")
        // A big new file that cannot fit under an 8 MB limit.
        var big = "event_id,timestamp,visitor_id,url,user_agent\n"
        for i in 0..<60_000 { big += "x\(i),2024-05-02T10:00:00Z,w\(i),https://acme.example/big/\(i),\(String(repeating: "u", count: 120))\n" }
        try big.write(toFile: folder + "/inbox/web_2.csv", atomically: true, encoding: .utf8)
        let full = try CLI.run(["run", "--db", "d.sqlite", "--out", "reports", "inbox"], in: folder, fileSizeLimitBlocks: 16_384)
        #expect(full.status == 3, "\(full.stderr)")
        #expect(full.stderr.contains("stopped"))
        #expect(full.stderr.contains("the file being loaded was rolled back"))
        #expect(try NightlyRunTests.reportContents(folder + "/reports") == before)
        let status = try CLI.run(["status", "--json", "--db", "d.sqlite"], in: folder)
        #expect(status.stdout.contains("\"rowsLoaded\" : 200"))
        // With room again, the next run completes.
        let retry = try CLI.run(["run", "--db", "d.sqlite", "--out", "reports", "inbox"], in: folder)
        #expect(retry.status == 0)
        let after = try CLI.run(["status", "--json", "--db", "d.sqlite"], in: folder)
        #expect(after.stdout.contains("\"rowsLoaded\" : 60200"))
    }

    /// A full disk after a first load's rows were committed, while the derived tables
    /// (sessions, visitor days) were being written, used to say "the file being loaded
    /// was rolled back" although its rows were in. The message says what is true, and
    /// the next run completes the derived tables.
    @Test func fullDiskDuringDerivedTablesSaysTheRowsAreKept() throws {
        let folder = try temporaryFolder()
        var web = "event_id,timestamp,visitor_id,url,referrer,country\n"
        for i in 0..<60_000 { web += "e\(i),2024-05-\(String(format: "%02d", 1 + i % 28))T10:\(String(format: "%02d", i % 60)):00Z,v\(i),https://acme.example/p\(i % 50),https://t.co/x,DE\n" }
        try web.write(toFile: folder + "/web_many.csv", atomically: true, encoding: .utf8)
        // 9.8 MB: the rows (about 8 MB with their indexes) fit, the sessions after them do not.
        let full = try CLI.run(["ingest", "--db", "d.sqlite", "web_many.csv"], in: folder, fileSizeLimitBlocks: 19_600)
        #expect(full.status == 3, "\(full.stderr)")
        #expect(full.stderr.contains("Every file of this run was loaded and committed; the derived tables"))
        #expect(!full.stderr.contains("rolled back"))
        #expect(try CLI.sqlite3(folder + "/d.sqlite", "SELECT COUNT(*) FROM fact_page_view;") == "60000\n")
        let again = try CLI.run(["ingest", "--db", "d.sqlite", "web_many.csv"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try CLI.sqlite3(folder + "/d.sqlite", "SELECT COUNT(*), SUM(page_count) FROM fact_session;") == "60000|60000\n")
    }

    /// `--db nodir/x.sqlite` exited 3 with an NSCocoaErrorDomain dump: a missing folder
    /// is a usage error, said in a sentence.
    @Test func aDatabaseInAMissingFolderIsAUsageError() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(5).write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        for arguments in [["ingest", "--db", "nodir/x.sqlite", "web.csv"], ["run", "--db", "nodir/x.sqlite", "--out", "r", "web.csv"],
                          ["report", "--db", "nodir/x.sqlite", "--out", "r"]] {
            let result = try CLI.run(arguments, in: folder)
            #expect(result.status == 2, "\(arguments) \(result.stderr)")
            #expect(result.stderr.contains("--db nodir/x.sqlite: the folder nodir does not exist"))
            #expect(!result.stderr.contains("Domain="))
        }
        // A database path through a file: also a sentence, not a dictionary.
        let through = try CLI.run(["ingest", "--db", "web.csv/x.sqlite", "web.csv"], in: folder)
        #expect(through.status == 2)
        #expect(through.stderr.contains("web.csv is not a folder"))
    }

    /// An --out whose folder does not exist (here a file stands there) is refused
    /// before any work, exit 2; the data already loaded is untouched.
    @Test func anOutUnderAFileIsRefusedUpFront() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(20).write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", "--db", "d.sqlite", "web_1.csv"], in: folder).status == 0)
        try "not a folder".write(toFile: folder + "/blocker", atomically: true, encoding: .utf8)
        let refused = try CLI.run(["report", "--db", "d.sqlite", "--out", "blocker/reports"], in: folder)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("--out blocker/reports: the folder blocker does not exist"))
        #expect(try CLI.sqlite3(folder + "/d.sqlite", "SELECT COUNT(*) FROM fact_page_view;") == "20\n")
    }

    /// A report that cannot be written (its folder is immutable: nothing can be created
    /// in it, not even by root) says what was kept: the data, not "rolled back".
    @Test(.enabled(if: Immutable.available, "needs chattr +i (root on ext4)"))
    func reportFailureSaysTheDataIsKept() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(20).write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", "--db", "d.sqlite", "web_1.csv"], in: folder).status == 0)
        try FileManager.default.createDirectory(atPath: folder + "/locked", withIntermediateDirectories: false)
        #expect(Immutable.set(folder + "/locked", true))
        defer { Immutable.set(folder + "/locked", false) }
        let failed = try CLI.run(["report", "--db", "d.sqlite", "--out", "locked/reports"], in: folder)
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(failed.stderr.contains("Loaded data is kept; the reports in locked/reports were not switched"))
        #expect(!failed.stderr.contains("rolled back"))
    }

    @Test func configValuesAreDataNotSQL() throws {
        let folder = try temporaryFolder()
        try """
            [properties]
            "acme.example" = "site'); DROP TABLE fact_page_view; --"
            [[brands]]
            name = "x'); DROP TABLE dim_brand; --"
            self = true
            aliases = ["Acme"]
            domains = ["acme.example' OR '1'='1"]
            """.write(toFile: folder + "/evil.toml", atomically: true, encoding: .utf8)
        try NightlyRunTests.webRows(20).write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        let result = try CLI.run(["run", "--config", "evil.toml", "--db", "e.sqlite", "--out", "reports", "web.csv"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let engagement = try String(contentsOfFile: folder + "/reports/engagement.csv", encoding: .utf8)
        #expect(engagement.contains("\n2024-05,site'); DROP TABLE fact_page_view; --,20,20,20,"))
        let stored = try CLI.sqlite3(folder + "/e.sqlite", "SELECT name FROM dim_brand; SELECT domain FROM dim_brand_domain; SELECT COUNT(*) FROM fact_page_view;")
        #expect(stored == "x'); DROP TABLE dim_brand; --\nacme.example' or '1'='1\n20\n")
    }
}

@Suite struct FileModeTests {
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func ownerOnlyByDefaultAndWiderWhenConfigured() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(5).write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "--db", "a.sqlite", "--out", "private", "web.csv"], in: folder).status == 0)
        #expect(try Self.mode(folder + "/a.sqlite") == 0o600)
        #expect(try Self.mode(folder + "/a.sqlite.lock") == 0o600)
        #expect(try Self.mode(folder + "/private/geo.csv") == 0o600)
        #expect(try Self.mode(folder + "/.private.sets") == 0o700)

        try "[privacy]\nfile_mode = \"0640\"\n".write(toFile: folder + "/team.toml", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "--config", "team.toml", "--db", "b.sqlite", "--out", "shared", "web.csv"], in: folder).status == 0)
        #expect(try Self.mode(folder + "/b.sqlite") == 0o640)
        #expect(try Self.mode(folder + "/shared/geo.csv") == 0o640)
        #expect(try Self.mode(folder + "/.shared.sets") == 0o750)

        try "[privacy]\nfile_mode = \"0777\"\n".write(toFile: folder + "/bad.toml", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["run", "--config", "bad.toml", "--db", "c.sqlite", "--out", "x", "web.csv"], in: folder)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("privacy.file_mode: must be octal text"))
    }
}

@Suite struct GeolocationTests {
    @Test func rowsWithOnlyAnIPGetTheirPlaceFromTheConfiguredDatabase() throws {
        let folder = try temporaryFolder()
        let mmdb = CLI.repositoryRoot.appendingPathComponent("Tests/FootprintNormalizeTests/GeoIP/GeoIP2-City-Test.mmdb").path
        try "geoip_database = \"\(mmdb)\"\n".write(toFile: folder + "/geo.toml", atomically: true, encoding: .utf8)
        try """
            event_id,timestamp,visitor_id,url,ip,country
            e1,2024-05-01T10:00:00Z,v1,https://acme.example/,81.2.69.142,
            e2,2024-05-01T10:00:00Z,v2,https://acme.example/,89.160.20.112,
            e3,2024-05-01T10:00:00Z,v3,https://acme.example/,216.160.83.56,FR
            e4,2024-05-01T10:00:00Z,v4,https://acme.example/,10.0.0.1,

            """.write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        let located = try CLI.run(["run", "--config", "geo.toml", "--db", "g.sqlite", "--out", "reports", "web.csv"], in: folder)
        #expect(located.status == 0, "\(located.stderr)")
        #expect(located.stderr.contains("1 rows without a known country (ZZ)"))
        let cities = try String(contentsOfFile: folder + "/reports/geo_city.csv", encoding: .utf8)
        #expect(cities.contains("2024-05,web:acme.example,GB,England,London,1,1,0.25\r\n"))
        #expect(cities.contains("2024-05,web:acme.example,SE,Östergötland County,Linköping,1,1,0.25\r\n"))
        #expect(cities.contains("2024-05,web:acme.example,FR,,,1,1,0.25\r\n"))   // a given country wins over the IP
        #expect(cities.contains("2024-05,web:acme.example,ZZ,,,1,1,0.25\r\n"))
        // The addresses themselves are stored nowhere.
        let dump = try CLI.sqlite3(folder + "/g.sqlite", ".dump")
        #expect(!dump.contains("81.2.69.142") && !dump.contains("89.160.20.112"))

        let unlocated = try CLI.run(["run", "--db", "n.sqlite", "--out", "plain", "web.csv"], in: folder)
        #expect(unlocated.status == 0)
        #expect(unlocated.stderr.contains("3 rows have an IP but no country: set geoip_database"))
    }
}
