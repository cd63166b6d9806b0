import ArgumentParser
import Foundation
import FootprintConfig

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on the bundled sample data with the embedded default configuration.")

    @Option(name: .long, help: "Folder to write the reports into.")
    var out: String

    @Option(name: .long, help: "Folder holding the sample exports.")
    var sampleData: String = "sample-data"

    @Option(name: .long, help: "Database file to keep (default: a temporary one, removed afterwards).")
    var db: String?

    @Option(name: .long, help: "Period to aggregate by: day, week, month or quarter.")
    var period: PeriodOption = .month

    func run() throws {
        guard FileManager.default.fileExists(atPath: sampleData) else {
            throw UsageFailure(message: "\(sampleData): sample data not found — run from the repository root or pass --sample-data")
        }
        var database = try DatabaseOptions.parse([])
        let temporary = NSTemporaryDirectory() + "footprint-demo-\(getpid()).sqlite"
        database.db = db ?? temporary
        defer {
            if db == nil {
                for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: temporary + suffix) }
            }
        }
        var reports = try ReportOptions.parse(["--out", out])
        reports.period = period
        let job = JobRunner(command: "demo", database: database, config: DefaultConfig.load())
        let status = try job.execute(inputs: [sampleData], kind: nil, reports: reports)
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
