import ArgumentParser
import Foundation
import FootprintConfig
import FootprintNormalize
import FootprintPipeline

/// Options shared by every command that touches the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (created if missing), or a PostgreSQL database as a URI (postgresql://user@host:5432/footprint; PG* variables and ~/.pgpass apply).")
    var db: String = "footprint.sqlite"

    @Option(name: .long, help: "TOML configuration file (see the README, \"Configuration\"); without it the embedded default applies.")
    var config: String?

    @Flag(name: .long, help: "Print a machine-readable run summary as JSON on stdout.")
    var json = false

    @Flag(name: .long, help: "Print nothing on stderr unless something went wrong.")
    var quiet = false

    /// A database in a folder that does not exist is a mistyped path: a usage error
    /// (exit 2) before anything starts, not a failed run.
    func validate() throws {
        if Warehouses.isServer(db) { return }
        let folder = (db as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw ValidationError("--db \(db): the folder \(folder) does not exist; create it (mkdir -p \(folder)) or choose another path")
        }
        guard isFolder.boolValue else {
            throw ValidationError("--db \(db): \(folder) is not a folder; choose another path")
        }
    }

    /// The configuration to use; a bad file is a usage error (exit 2) naming the key.
    func loadConfig() throws -> FootprintConfig {
        guard let config else { return DefaultConfig.load() }
        do {
            return try ConfigLoader.load(path: config)
        } catch {
            throw UsageFailure(message: error.description)
        }
    }
}

/// How long to wait for another run on the same database.
struct WaitOption: ParsableArguments {
    @Option(name: .long, help: "Seconds to wait for another run on the same database to finish before giving up with exit 3.")
    var wait: Int = 0
}

/// Options for writing reports.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: "Folder to write the report CSV files into (created if missing).")
    var out: String

    @Option(name: .long, help: "Period to aggregate by: day, week, month or quarter.")
    var period: PeriodOption = .month

    @Option(name: .long, help: "First day to include (YYYY-MM-DD, in the configured time zone).")
    var from: String?

    @Option(name: .long, help: "Last day to include (YYYY-MM-DD, in the configured time zone).")
    var to: String?

    @Flag(name: .long, help: "Start each CSV file with a UTF-8 byte-order mark (for Excel).")
    var bom = false

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, DayArgument.parse(value) == nil {
                throw ValidationError("\(name) '\(value)' is not a date; write it as YYYY-MM-DD, e.g. 2024-05-01")
            }
        }
        if let from, let to, let start = DayArgument.parse(from), let end = DayArgument.parse(to), start > end {
            throw ValidationError("--from \(from) is after --to \(to); swap them")
        }
    }
}

enum PeriodOption: String, ExpressibleByArgument, CaseIterable {
    case day, week, month, quarter
}

enum DayArgument {
    /// yyyymmdd key of a YYYY-MM-DD argument naming a day that exists, or nil.
    static func parse(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return CivilDate(year: y, month: m, day: d)?.key
    }
}

/// A configuration or usage problem found after parsing: exit 2.
struct UsageFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The run could not complete (database unusable, disk full…): exit 3.
struct RunFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
