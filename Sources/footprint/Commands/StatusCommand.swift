import ArgumentParser
import Foundation
import FootprintConfig
import FootprintPipeline
import FootprintWarehouse

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the last runs and how fresh the data of each kind is.")

    @Option(name: .long, help: "SQLite database file.")
    var db: String = "footprint.sqlite"

    @Option(name: .long, help: "How many recent runs to show.")
    var runs: Int = 10

    @Flag(name: .long, help: "Print the status as JSON on stdout.")
    var json = false

    struct Status: Codable {
        var runs: [RunRecord]
        var freshness: [KindFreshness]
    }

    func run() throws {
        guard Warehouses.exists(db) else {
            throw UsageFailure(message: "\(db): no such database — run `footprint run` or `footprint ingest` first, or pass --db")
        }
        let warehouse: WarehouseEngine
        do { warehouse = try Warehouses.open(db) } catch { throw RunFailure(message: ErrorText.plain(error)) }
        let status = Status(runs: try warehouse.recentRuns(limit: runs), freshness: try warehouse.freshness())
        if json {
            SummaryPrinter(quiet: false).printJSON(status)
            return
        }
        print("Last runs (newest first):")
        if status.runs.isEmpty { print("  none recorded") }
        for run in status.runs {
            print("  \(Self.time(run.startedAt))  \(run.command.padding(toLength: 7, withPad: " ", startingAt: 0)) exit \(run.exitStatus)  "
                  + "\(run.finishedAt - run.startedAt) s  files: \(run.filesLoaded) loaded, \(run.filesSkipped) skipped, \(run.filesFailed) failed  "
                  + "rows: \(run.rowsLoaded) loaded, \(run.rowsDuplicate) duplicate, \(run.rowsRejected) rejected  reports: \(run.reportsWritten)")
        }
        print("Data by kind:")
        for kind in status.freshness {
            print("  \(kind.kind.padding(toLength: 11, withPad: " ", startingAt: 0)) \(kind.files) file(s), \(kind.rowsLoaded) rows; "
                  + "last loaded \(kind.lastLoadedAt.map(Self.time) ?? "never"); newest event \(kind.newestEventAt.map(Self.time) ?? "none")")
        }
    }

    static func time(_ seconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(seconds)))
    }
}
