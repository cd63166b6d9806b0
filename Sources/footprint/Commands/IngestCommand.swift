import ArgumentParser
import FootprintConfig

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load export files (CSV, JSONL, JSON arrays or access logs; plain or gzip) into the star schema.",
        discussion: "Folders are read recursively. A file whose content was loaded before is skipped; a row whose id was loaded before counts as a duplicate.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var waiting: WaitOption

    @Option(name: .long, help: "Kind of every file given: web, clicks, groups, subscribers or outcomes (default: from config, file name, or columns).")
    var kind: EventKind?

    @Option(name: .long, help: ArgumentHelp("Read every file given with a named mapping for a real export format: \(Presets.names.joined(separator: ", ")).", valueName: "name"))
    var preset: String?

    @Option(name: .long, help: ArgumentHelp("With --preset access-log or yourls: the site's or short domain's host name, which those files do not carry.", valueName: "host"))
    var host: String?

    @Flag(name: .long, help: "Read the files again although they were loaded before (after their mapping was fixed): their earlier rows are removed first, in the same transaction as the new load.")
    var reload = false

    @Argument(help: "Files or folders to load.")
    var inputs: [String]

    func validate() throws {
        if let preset, Presets.spec(named: preset) == nil {
            throw ValidationError("--preset \(preset) is unknown; the presets are \(Presets.names.joined(separator: ", "))")
        }
        if host != nil && preset == nil {
            throw ValidationError("--host goes with --preset (e.g. --preset access-log --host blog.example.com); in a config, write host = \"…\" in the [[inputs]] entry")
        }
    }

    func run() throws {
        var config = try database.loadConfig()
        if let preset, var spec = Presets.spec(named: preset) {
            if let host { spec.host = ConfigLoader.normalizedHost(host) }
            config.inputs.insert(spec, at: 0)   // matches every file given
        }
        var job = JobRunner(command: "ingest", database: database, config: config, waitSeconds: waiting.wait)
        job.reload = reload
        let status = try job.execute(inputs: inputs, kind: kind, reports: nil)
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}

extension EventKind: ExpressibleByArgument {}
