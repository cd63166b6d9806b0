import ArgumentParser

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The nightly job: ingest everything new from the input folders, then write all reports.",
        discussion: "A night with no new files still rewrites the reports. Only one run at a time per database; see --wait.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var reports: ReportOptions
    @OptionGroup var waiting: WaitOption

    @Argument(help: "Input folders (or files).")
    var inputs: [String]

    func run() throws {
        let job = JobRunner(command: "run", database: database, config: try database.loadConfig(), waitSeconds: waiting.wait)
        let status = try job.execute(inputs: inputs, kind: nil, reports: reports)
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
