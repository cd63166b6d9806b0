import Foundation
import Testing

/// The nightly job as cron runs it: repeated, overlapping and killed runs.
@Suite struct NightlyRunTests {
    static func webRows(_ count: Int) -> String {
        var text = "event_id,timestamp,visitor_id,url,referrer,country\n"
        text.reserveCapacity(count * 100)
        for i in 0..<count {
            let minute = i % 1440
            text += "e\(i),2024-05-\(String(format: "%02d", 1 + i % 28))T\(String(format: "%02d", minute / 60)):\(String(format: "%02d", minute % 60)):00Z,v\(i % 997),https://acme.example/p\(i % 13),https://t.co/x,DE\n"
        }
        return text
    }

    static func reportContents(_ folder: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in ["geo.csv", "geo_city.csv", "propagation.csv", "attention.csv", "engagement.csv", "referrers.csv"] {
            out[name] = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
        }
        return out
    }

    @Test func secondRunLoadsNothingAndRewritesIdenticalReports() throws {
        let folder = try temporaryFolder()
        let sample = CLI.repositoryRoot.appendingPathComponent("sample-data").path
        let first = try CLI.run(["run", "--db", "f.sqlite", "--out", "reports", sample], in: folder)
        #expect(first.status == 0)
        let before = try Self.reportContents(folder + "/reports")
        let second = try CLI.run(["run", "--json", "--db", "f.sqlite", "--out", "reports", sample], in: folder)
        #expect(second.status == 0)
        #expect(second.stdout.contains("\"status\" : \"skipped\""))
        #expect(!second.stdout.contains("\"status\" : \"loaded\""))
        #expect(try Self.reportContents(folder + "/reports") == before)
        // The output folder is a link to the newest set; the previous set is kept.
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/reports")
        #expect(link.hasPrefix(".reports.sets/"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/.reports.sets").count == 2)
    }

    @Test func aSecondRunWaitsOrExitsThreeNamingTheHolder() throws {
        let folder = try temporaryFolder()
        try Self.webRows(10).write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        // Hold the lock the way a running footprint does.
        let fd = open(folder + "/n.sqlite.lock", O_RDWR | O_CREAT, 0o600)
        #expect(flock(fd, LOCK_EX) == 0)
        _ = "pid 4242, started earlier\n".withCString { pwrite(fd, $0, strlen($0), 0) }
        let refused = try CLI.run(["run", "--db", "n.sqlite", "--out", "reports", "web.csv"], in: folder)
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("another footprint run (pid 4242, started earlier) holds"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/n.sqlite"))
        // With --wait, the run goes ahead once the holder finishes.
        let release = Thread { usleep(700_000); flock(fd, LOCK_UN); close(fd) }
        release.start()
        let waited = try CLI.run(["run", "--wait", "10", "--db", "n.sqlite", "--out", "reports", "web.csv"], in: folder)
        #expect(waited.status == 0, "\(waited.stderr)")
    }

    @Test func twoRealRunsAtOnceOneExitsThreeAndTheDatabaseStaysIntact() throws {
        let folder = try temporaryFolder()
        try Self.webRows(150_000).write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        let first = try CLI.start(["run", "--quiet", "--db", "c.sqlite", "--out", "reports", "web.csv"], in: folder)
        usleep(700_000)
        let second = try CLI.run(["run", "--db", "c.sqlite", "--out", "reports", "web.csv"], in: folder)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.status == 3)
        #expect(second.stderr.contains("another footprint run (pid \(first.processIdentifier), started"))
        let check = try CLI.run(["status", "--json", "--db", "c.sqlite"], in: folder)
        #expect(check.stdout.contains("\"rowsLoaded\" : 150000"))
        #expect(try CLI.sqlite3(folder + "/c.sqlite", "PRAGMA integrity_check") == "ok\n")
    }

    @Test func aKilledRunIsCompletedByTheNextOneWithIdenticalReports() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        try Self.webRows(150_000).write(toFile: folder + "/inbox/web_big.csv", atomically: true, encoding: .utf8)
        try Self.webRows(500).write(toFile: folder + "/inbox/web_small.csv", atomically: true, encoding: .utf8)

        // Kill -9 while the big file is loading.
        let process = try CLI.start(["run", "--quiet", "--db", "k.sqlite", "--out", "reports", "inbox"], in: folder)
        usleep(1_200_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed; use more rows")

        let resumed = try CLI.run(["run", "--json", "--db", "k.sqlite", "--out", "reports", "inbox"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let clean = try CLI.run(["run", "--db", "clean.sqlite", "--out", "clean-reports", "inbox"], in: folder)
        #expect(clean.status == 0)
        #expect(try Self.reportContents(folder + "/reports") == Self.reportContents(folder + "/clean-reports"))
        let status = try CLI.run(["status", "--json", "--db", "k.sqlite"], in: folder)
        // web_small repeats the first 500 events of web_big: loaded once, whatever the order.
        #expect(status.stdout.contains("\"rowsLoaded\" : 150000"))
    }
}
