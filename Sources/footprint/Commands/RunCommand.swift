import ArgumentParser
import FootprintConfig

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The nightly job: ingest everything new from the input folders, then write all reports.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var reports: ReportOptions

    @Argument(help: "Input folders (or files).")
    var inputs: [String]

    func run() throws {
        let config = try database.loadConfig()
        let summary = try IngestRunner.ingest(inputs: inputs, database: database, config: config, kind: nil)
        let warehouse = try IngestRunner.openWarehouse(database.db)
        try ReportRunner.write(warehouse: warehouse, config: config, options: reports, quiet: database.quiet)
        if summary.hasProblems { throw ExitCode(ExitStatus.rowsRejected) }
    }
}
