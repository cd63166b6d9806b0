import ArgumentParser
import Foundation
import FootprintConfig
import FootprintPipeline
import FootprintWarehouse

/// `footprint db …`: what is done to the database itself, rather than to its data.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Work on the database itself (PostgreSQL: spread it over a Citus cluster).",
        subcommands: [DistributeCommand.self])
}

/// `footprint db distribute`: on a PostgreSQL server with the Citus extension, makes the
/// dimensions reference tables and distributes the facts (CitusDistribution says how).
struct DistributeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distribute",
        abstract: "Spread the star schema over a Citus cluster: dimensions as reference tables, facts distributed.")

    @Option(name: .long, help: "The PostgreSQL database (a URI) on the Citus coordinator.")
    var db: String

    @OptionGroup var waiting: WaitOption

    @Flag(name: .long, help: "Print what was done as JSON on stdout.")
    var json = false

    func validate() throws {
        guard Warehouses.isServer(db) else {
            throw ValidationError("--db \(db): distribute works on a PostgreSQL database with the Citus extension (postgresql://…), not on an SQLite file")
        }
    }

    func run() throws {
        let summary: CitusDistribution.Summary
        do {
            let locked = try Warehouses.openLocked(db, waitSeconds: waiting.wait)
            defer { withExtendedLifetime(locked) {} }
            guard let postgres = locked.warehouse as? PostgresWarehouse else { throw ValidationError("not a PostgreSQL database") }
            summary = try postgres.distribute()
        } catch {
            throw RunFailure(message: "distribute failed, nothing was changed: \(ErrorText.plain(error))")
        }
        if json { SummaryPrinter(quiet: false).printJSON(summary); return }
        SummaryPrinter(quiet: false).say(summary.alreadyDone
            ? "distribute: the schema was distributed before; nothing to do"
            : "distribute: distributed \(summary.distributed.joined(separator: ", ")); \(summary.reference.count) reference tables")
    }
}
