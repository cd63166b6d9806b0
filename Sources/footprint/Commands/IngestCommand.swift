import ArgumentParser
import FootprintConfig

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load export files (CSV or JSONL, plain or gzip) into the star schema.",
        discussion: "Folders are read recursively. A file whose content was loaded before is skipped; a row whose id was loaded before counts as a duplicate.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var waiting: WaitOption

    @Option(name: .long, help: "Kind of every file given: web, clicks or groups (default: from config, file name, or columns).")
    var kind: EventKind?

    @Argument(help: "Files or folders to load.")
    var inputs: [String]

    func run() throws {
        let job = JobRunner(command: "ingest", database: database, config: try database.loadConfig(), waitSeconds: waiting.wait)
        let status = try job.execute(inputs: inputs, kind: kind, reports: nil)
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}

extension EventKind: ExpressibleByArgument {}
