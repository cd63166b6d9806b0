import ArgumentParser
import Foundation
import FootprintConfig
import FootprintInput
import FootprintPipeline
import FootprintReports
import FootprintNormalize
import FootprintOutput
import FootprintWarehouse

/// The machine-readable summary of one command run (`--json`, and the runs table).
struct JobSummary: Codable {
    var command: String
    var startedAt: String
    var seconds: Double = 0
    var exitStatus: Int32 = 0
    var ingest: IngestSummary?
    var reports: [String] = []
    var reportSeconds: Double?
    /// What works but is probably not what the user meant (a goal page that matches no page).
    var warnings: [String] = []
    var error: String?
}

/// The steps behind `ingest`, `report`, `run` and `demo`: take the database's run lock,
/// ingest, write reports, record the run, and tell the user. Commands only choose which
/// steps run; this is the one place that turns outcomes into output and exit codes.
struct JobRunner {
    let command: String
    let database: DatabaseOptions
    let config: FootprintConfig
    var waitSeconds = 0
    /// `ingest --reload`: read the files again, replacing what they loaded before.
    var reload = false

    /// Runs the steps and returns the exit status (0, or 1 when input was rejected).
    /// Throws UsageFailure (exit 2) or RunFailure (exit 3).
    func execute(inputs: [String]?, kind: EventKind?, reports: ReportOptions?) throws -> Int32 {
        let printer = SummaryPrinter(quiet: database.quiet)
        let started = Date()
        var summary = JobSummary(command: command, startedAt: ISO8601DateFormatter().string(from: started))
        // A --out that would destroy something stops the run before any work (exit 2).
        if let reports {
            do { try ReportSet.checkTarget(reports.out) } catch { throw UsageFailure(message: ErrorText.plain(error)) }
        }
        var files: [String] = []
        if let inputs {
            do {
                files = try InputFiles.expand(inputs) { path, reason in printer.say("note     \(path): \(reason)") }
            } catch { throw UsageFailure(message: "\(ErrorText.plain(error)) — check the path") }
        }
        if inputs == nil && !Warehouses.exists(database.db) {
            throw UsageFailure(message: "\(database.db): no such database — load data first with `footprint run` or `footprint ingest`, or pass --db")
        }
        let locked: Warehouses.Locked
        do {
            locked = try Warehouses.openLocked(database.db, waitSeconds: waitSeconds, fileMode: config.privacy.fileMode)
        } catch {
            throw RunFailure(message: ErrorText.plain(error))
        }
        defer { withExtendedLifetime(locked) {} }
        let warehouse = locked.warehouse
        Trace.mark("database open and locked")

        // What a failure leaves behind depends on where it happened; the message says so.
        var aftermath = "Files loaded before the failure are kept; the file being loaded was rolled back; reports were not switched."
        do {
            if inputs != nil {
                let progress = ProgressLine()
                defer { progress.clear() }
                var ingest = Ingest(warehouse: warehouse, config: config, kindOverride: kind)
                ingest.reload = reload
                if let path = config.geoipDatabase { ingest.geoIP = try GeoIPDatabase(path: path) }
                summary.ingest = try ingest.run(files: files) { step in
                    progress.update(step)
                }
            }
            Trace.mark("ingest returned")
            if let ingest = summary.ingest { printer.printIngest(ingest) }
            if let reports {
                aftermath = "Loaded data is kept; the reports in \(reports.out) were not switched (the previous set is still there)."
                let reportStarted = Date()
                summary.reports = try ReportWriter(warehouse: warehouse, config: config)
                    .write(to: reports.out, scope: scope(reports), byteOrderMark: reports.bom)
                summary.reportSeconds = Date().timeIntervalSince(reportStarted)
                if !database.quiet { printer.say("report: wrote \(summary.reports.count) files to \(reports.out)") }
            }
            // Shown even with --quiet: a goal that can never convert is not "all is well".
            summary.warnings = config.isEmbeddedDefault ? [] : try warehouse.unmatchedPages(config: config)
            for warning in summary.warnings { printer.say("warning  \(warning)") }
            summary.exitStatus = summary.ingest?.hasProblems == true ? ExitStatus.rowsRejected : ExitStatus.success
        } catch let pending as DerivedFactsPending {
            summary.exitStatus = ExitStatus.incomplete
            summary.error = warehouse.explain(pending.underlying)
            aftermath = "Every file of this run was loaded and committed; the derived tables (sessions, visitor days, mentions) are not up to date yet — the next run or report brings them up to date; reports were not switched."
        } catch {
            summary.exitStatus = ExitStatus.incomplete
            summary.error = warehouse.explain(error)
        }
        summary.seconds = Date().timeIntervalSince(started)
        Trace.mark("warnings checked")
        try? warehouse.recordRun(record(summary, started: started))
        Trace.mark("run recorded")
        if database.json { printer.printJSON(summary) }
        if let error = summary.error {
            throw RunFailure(message: "\(command) stopped: \(error). \(aftermath)")
        }
        return summary.exitStatus
    }

    private func scope(_ options: ReportOptions) -> ReportScope {
        ReportScope(period: ReportScope.Period(rawValue: options.period.rawValue) ?? .month,
                    firstDay: options.from.flatMap(DayArgument.parse), lastDay: options.to.flatMap(DayArgument.parse))
    }

    private func record(_ summary: JobSummary, started: Date) -> RunRecord {
        var run = RunRecord(command: command, startedAt: Int64(started.timeIntervalSince1970),
                            finishedAt: Int64(Date().timeIntervalSince1970), exitStatus: Int(summary.exitStatus))
        if let ingest = summary.ingest {
            run.filesLoaded = ingest.files.filter { $0.status == .loaded }.count
            run.filesSkipped = ingest.files.filter { $0.status == .skipped }.count
            run.filesFailed = ingest.filesFailed
            for totals in ingest.totalsByKind.values {
                run.rowsRead += totals.read; run.rowsLoaded += totals.loaded
                run.rowsDuplicate += totals.duplicate; run.rowsRejected += totals.rejected
            }
        }
        run.reportsWritten = summary.reports.count
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        run.summaryJSON = (try? encoder.encode(summary)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return run
    }
}
