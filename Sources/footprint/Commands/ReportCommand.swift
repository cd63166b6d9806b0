import ArgumentParser

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the CSV reports (geo, geo_city, propagation, attention, engagement, referrers).",
        discussion: "--out becomes a link to the newest set of reports; the set switches as a whole, so a reader never sees a mix of two nights.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var reports: ReportOptions
    @OptionGroup var waiting: WaitOption

    func run() throws {
        let job = JobRunner(command: "report", database: database, config: try database.loadConfig(), waitSeconds: waiting.wait)
        let status = try job.execute(inputs: nil, kind: nil, reports: reports)
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
