import Foundation
import Testing
import FootprintTestSupport

/// Faults on a PostgreSQL server, through the binary as cron runs it: a server that
/// does not answer, a second run at once, a run killed in the middle of a file.
/// Runs when FOOTPRINT_TEST_PG names a server (scripts/test starts one).
@Suite(.enabled(if: TestPostgresServer.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
struct PostgresFaultTests {
    @Test func aServerThatDoesNotAnswerIsExitThreeNamingItButNotThePassword() throws {
        let folder = try temporaryFolder()
        let result = try CLI.run(["report", "--db", "postgresql://footprint:s3cret-pw@127.0.0.1:1/warehouse", "--out", "reports"], in: folder)
        #expect(result.status == 3)
        #expect(result.stderr.contains("cannot connect to PostgreSQL at 127.0.0.1:1/warehouse"), "\(result.stderr)")
        #expect(!result.stderr.contains("s3cret-pw") && !result.stdout.contains("s3cret-pw"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/reports"))
    }

    @Test func aSecondRunIsExitThreeNamingTheRunThatHoldsTheDatabase() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(150_000).write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        try TestPostgresServer.withDatabase { db in
            let first = try CLI.start(["run", "--quiet", "--db", db, "--out", "reports", "web.csv"], in: folder)
            usleep(1_500_000)
            let second = try CLI.run(["run", "--db", db, "--out", "reports", "web.csv"], in: folder)
            first.waitUntilExit()
            #expect(first.terminationStatus == 0)
            #expect(second.status == 3)
            #expect(second.stderr.contains("another footprint run (footprint pid \(first.processIdentifier) started"), "\(second.stderr)")
            let check = try CLI.run(["status", "--json", "--db", db], in: folder)
            #expect(check.stdout.contains("\"rowsLoaded\" : 150000"))
        }
    }

    @Test func aConnectionLostMidFileIsExitThreeAndTheNextRunCompletesIt() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(150_000).write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        try TestPostgresServer.withDatabase { db in
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["ingest", "--quiet", "--db", db, "web.csv"]
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            let err = Pipe()
            process.standardError = err
            try process.run()
            usleep(1_500_000)
            // The server ends the run's session, as a restart or a network cut would.
            try TestPostgresServer.psql(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'footprint pid \(process.processIdentifier) %'")
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 3, "\(stderr)")
            #expect(stderr.contains("PostgreSQL at"), "\(stderr)")
            let again = try CLI.run(["ingest", "--json", "--db", db, "web.csv"], in: folder)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("\"loaded\" : 150000"), "\(again.stdout.prefix(400))")
        }
    }

    @Test func aKilledRunIsRolledBackAndCompletedByTheNextOne() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        try NightlyRunTests.webRows(150_000).write(toFile: folder + "/inbox/web_big.csv", atomically: true, encoding: .utf8)
        try NightlyRunTests.webRows(500).write(toFile: folder + "/inbox/web_small.csv", atomically: true, encoding: .utf8)
        try TestPostgresServer.withDatabase { db in
            try TestPostgresServer.withDatabase { clean in
                // Kill -9 while the big file is loading: its transaction dies with the connection.
                let process = try CLI.start(["run", "--quiet", "--db", db, "--out", "reports", "inbox"], in: folder)
                usleep(1_500_000)
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed; use more rows")

                let resumed = try CLI.run(["run", "--json", "--db", db, "--out", "reports", "inbox"], in: folder)
                #expect(resumed.status == 0, "\(resumed.stderr)")
                let fresh = try CLI.run(["run", "--db", clean, "--out", "clean-reports", "inbox"], in: folder)
                #expect(fresh.status == 0)
                #expect(try NightlyRunTests.reportContents(folder + "/reports") == NightlyRunTests.reportContents(folder + "/clean-reports"))
                let status = try CLI.run(["status", "--json", "--db", db], in: folder)
                // web_small repeats the first 500 events of web_big: loaded once, whatever the order.
                #expect(status.stdout.contains("\"rowsLoaded\" : 150000"), "\(status.stdout)")
            }
        }
    }
}
