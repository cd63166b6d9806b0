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

    @Option(name: .long, help: "Database file for the demo (default: demo.sqlite inside --out).")
    var db: String?

    @Option(name: .long, help: "Period to aggregate by: day, week, month or quarter.")
    var period: PeriodOption = .month

    func run() throws {
        guard FileManager.default.fileExists(atPath: sampleData) else {
            throw UsageFailure(message: "\(sampleData): sample data not found — run from the repository root or pass --sample-data")
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var database = try DatabaseOptions.parse([])
        database.db = db ?? (out as NSString).appendingPathComponent("demo.sqlite")
        var reports = try ReportOptions.parse(["--out", out])
        reports.period = period
        let config = DefaultConfig.load()
        let summary = try IngestRunner.ingest(inputs: [sampleData], database: database, config: config, kind: nil)
        let warehouse = try IngestRunner.openWarehouse(database.db)
        try ReportRunner.write(warehouse: warehouse, config: config, options: reports, quiet: false)
        if summary.hasProblems { throw ExitCode(ExitStatus.rowsRejected) }
    }
}
