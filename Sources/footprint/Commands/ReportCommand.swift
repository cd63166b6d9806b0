import ArgumentParser
import FootprintConfig
import FootprintPipeline
import FootprintReports

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the CSV reports (geo, geo_city, propagation, attention, engagement, referrers).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var reports: ReportOptions

    func run() throws {
        let config = try database.loadConfig()
        let warehouse = try IngestRunner.openWarehouse(database.db)
        try ReportRunner.write(warehouse: warehouse, config: config, options: reports, quiet: database.quiet)
    }
}

enum ReportRunner {
    static func scope(_ options: ReportOptions) -> ReportScope {
        ReportScope(period: ReportScope.Period(rawValue: options.period.rawValue) ?? .month,
                    firstDay: options.from.flatMap(DayArgument.parse), lastDay: options.to.flatMap(DayArgument.parse))
    }

    @discardableResult
    static func write(warehouse: FootprintWarehouse.Warehouse, config: FootprintConfig, options: ReportOptions, quiet: Bool) throws -> [String] {
        let written: [String]
        do {
            written = try ReportWriter(warehouse: warehouse, config: config)
                .write(to: options.out, scope: scope(options), byteOrderMark: options.bom)
        } catch {
            throw RunFailure(message: "reports not written: \(error)")
        }
        if !quiet {
            SummaryPrinter(quiet: quiet).say("report: wrote \(written.count) files to \(options.out)")
        }
        return written
    }
}

import FootprintWarehouse
