import ArgumentParser
import Foundation
import FootprintConfig
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
        guard Warehouses.exists(database.db) else {
            throw UsageFailure(message: "\(database.db): no such database — run `footprint run` first, or pass --db")
        }
        try Self.checkOut(out)
        do {
            let locked = try Warehouses.openLocked(database.db, waitSeconds: waiting.wait, fileMode: config.privacy.fileMode)
            defer { withExtendedLifetime(locked) {} }
            let html = try QuarterlyReview(warehouse: locked.warehouse, config: config)
                .render(QuarterlyReview.Quarter(quarter)!)
            try AtomicFile.write(html, to: out, permissions: mode_t(config.privacy.fileMode))
        } catch {
            throw RunFailure(message: "review not written: \(ErrorText.plain(error))")
        }
        if !database.quiet { SummaryPrinter(quiet: false).say("review: wrote \(out)") }
    }

    /// The review replaces only a review: a file at `--out` that is not an HTML page
    /// (the database, a CSV, a folder) is refused before anything is written.
    static func checkOut(_ out: String) throws {
        var info = stat()
        guard lstat(out, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw UsageFailure(message: "--out \(out): it exists and is not a plain file (a folder or a link); name the HTML file to write")
        }
        let head = FileHandle(forReadingAtPath: out).flatMap { try? $0.read(upToCount: 15) } ?? Data()
        guard info.st_size == 0 || String(decoding: head, as: UTF8.self).lowercased() == "<!doctype html>" else {
            throw UsageFailure(message: "--out \(out): it exists and is not an HTML page, so it would be lost; name a new file (e.g. review.html)")
        }
    }
}
