import ArgumentParser
import Foundation
import FootprintOutput
import FootprintPipeline
import FootprintWarehouse

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Write the quarterly perception review as one self-contained HTML file.",
        discussion: "Audience by country for blog and site, share of attention and perception by month, the content that travelled furthest, and engagement against the previous quarter and the same quarter a year earlier.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var waiting: WaitOption

    @Option(name: .long, help: "The quarter to review, e.g. 2024-Q2.")
    var quarter: String

    @Option(name: .long, help: "The HTML file to write.")
    var out: String

    func validate() throws {
        guard QuarterlyReview.Quarter(quarter) != nil else {
            throw ValidationError("--quarter '\(quarter)' is not a quarter; write it as YYYY-Qn, e.g. 2024-Q2")
        }
    }

    func run() throws {
        let config = try database.loadConfig()
        guard FileManager.default.fileExists(atPath: database.db) else {
            throw UsageFailure(message: "\(database.db): no such database — run `footprint run` first, or pass --db")
        }
        do {
            let lock = try RunLock(databasePath: database.db, waitSeconds: waiting.wait)
            defer { withExtendedLifetime(lock) {} }
            let html = try QuarterlyReview(warehouse: try Warehouse(path: database.db), config: config)
                .render(QuarterlyReview.Quarter(quarter)!)
            try AtomicFile.write(html, to: out, permissions: mode_t(config.privacy.fileMode))
        } catch {
            throw RunFailure(message: "review not written: \(error)")
        }
        if !database.quiet { SummaryPrinter(quiet: false).say("review: wrote \(out)") }
    }
}
