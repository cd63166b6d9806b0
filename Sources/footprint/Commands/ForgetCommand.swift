import ArgumentParser
import Foundation
import FootprintConfig
import FootprintPipeline
import FootprintWarehouse

struct ForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Remove one person's data (right to erasure): a visitor's page views or a member's group activity.",
        discussion: "Give the id as it appears in the exports; it is hashed with the database's key to find the rows. Reports written earlier hold only aggregates; run `footprint report` to refresh them.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var waiting: WaitOption

    @Option(name: .long, help: "A visitor id (web exports' visitor_id).")
    var visitor: String?

    @Option(name: .long, help: "A group member id (groups exports' actor_id).")
    var actor: String?

    func validate() throws {
        if (visitor == nil) == (actor == nil) {
            throw ValidationError("give exactly one of --visitor ID or --actor ID")
        }
    }

    func run() throws {
        let config = try database.loadConfig()
        guard Warehouses.exists(database.db) else {
            throw UsageFailure(message: "\(database.db): no such database — pass --db")
        }
        let result: ForgetResult
        do {
            let locked = try Warehouses.openLocked(database.db, waitSeconds: waiting.wait)
            defer { withExtendedLifetime(locked) {} }
            result = try locked.warehouse.forget(rawID: visitor ?? actor ?? "", role: visitor != nil ? .visitor : .actor, config: config)
        } catch {
            throw RunFailure(message: "forget failed, nothing was removed: \(ErrorText.plain(error))")
        }
        if database.json { SummaryPrinter(quiet: false).printJSON(result); return }
        if !database.quiet {
            SummaryPrinter(quiet: false).say(result.found
                ? "forget: removed \(result.pageViews) page views, \(result.sessions) sessions, \(result.groupActivities) group activities, \(result.subscriptions) subscriptions, \(result.rejectedRows) rejected rows"
                : "forget: nothing found for that id (was it loaded with this database's hash key?)")
        }
    }
}
