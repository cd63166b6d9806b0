import ArgumentParser
import FootprintConfig
import FootprintPipeline
import FootprintWarehouse

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load export files (CSV or JSONL, plain or gzip) into the star schema.",
        discussion: "Folders are read recursively. A file whose content was loaded before is skipped; a row whose id was loaded before counts as a duplicate.")

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Kind of every file given: web, clicks or groups (default: from config, file name, or columns).")
    var kind: EventKind?

    @Argument(help: "Files or folders to load.")
    var inputs: [String]

    func run() throws {
        let config = try database.loadConfig()
        let summary = try IngestRunner.ingest(inputs: inputs, database: database, config: config, kind: kind)
        if summary.hasProblems { throw ExitCode(ExitStatus.rowsRejected) }
    }
}

extension EventKind: ExpressibleByArgument {}

/// The ingest step shared by `ingest`, `run` and `demo`.
enum IngestRunner {
    static func ingest(inputs: [String], database: DatabaseOptions, config: FootprintConfig, kind: EventKind?) throws -> IngestSummary {
        let printer = SummaryPrinter(quiet: database.quiet)
        let files: [String]
        do {
            files = try InputFiles.expand(inputs)
        } catch {
            throw UsageFailure(message: "\(error) — check the path")
        }
        let warehouse = try openWarehouse(database.db)
        let progress = ProgressLine()
        let summary: IngestSummary
        do {
            summary = try Ingest(warehouse: warehouse, config: config, kindOverride: kind).run(files: files) { step in
                progress.update(path: step.path, bytes: step.bytesConsumed, rows: step.rowsRead)
            }
        } catch {
            progress.clear()
            throw RunFailure(message: "ingest stopped: \(error). Files loaded before this point are kept; the file being loaded was rolled back.")
        }
        progress.clear()
        printer.printIngest(summary)
        if database.json { printer.printJSON(summary) }
        return summary
    }

    static func openWarehouse(_ path: String) throws -> Warehouse {
        do {
            return try Warehouse(path: path)
        } catch {
            throw RunFailure(message: "\(error)")
        }
    }
}
