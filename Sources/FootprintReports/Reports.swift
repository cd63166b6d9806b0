import Foundation
import FootprintConfig
import FootprintInput
import FootprintOutput
import FootprintWarehouse

/// All reports of CONTRACT.md section 3 (and bots.csv), computed from the star schema
/// and the loader's summaries. They agree with each other because nothing writes while
/// they run: every footprint command that writes holds the run lock.
public enum Reports {
    public static let fileNames = ["geo.csv", "geo_city.csv", "propagation.csv", "attention.csv", "engagement.csv", "referrers.csv", "perception.csv", "bots.csv",
                                         "goals.csv", "topics.csv", "groups.csv", "influencers.csv", "vips.csv", "impact.csv"]

    public static func compute(from warehouse: ReportDatabase, scope: ReportScope) throws -> [CSVTable] {
        try compute(fileNames, from: warehouse, scope: scope)
    }

    /// One report by its file name (`geo.csv` …).
    public static func compute(_ fileName: String, from warehouse: ReportDatabase, scope: ReportScope) throws -> CSVTable {
        try compute([fileName], from: warehouse, scope: scope)[0]
    }

    /// The reports that read the shared web-audience tables (WebAudience): they run on
    /// the main connection, which holds those temporary tables.
    static let readingWebAudience: Set<String> = ["geo.csv", "geo_city.csv", "engagement.csv", "bots.csv"]
    /// Every other report runs on whichever connection is free next, the longest first
    /// (measured with FOOTPRINT_TRACE on scripts/bench-nightly's 2 million page views:
    /// vips.csv, which groups every subscription, and propagation.csv are the longest of
    /// a night; goals, referrers, influencers and groups of a full run). A fixed split of
    /// the reports between the two connections suited one of the two cases only: a
    /// nightly run left one connection idle for half the time.
    static let longestFirst = ["vips.csv", "propagation.csv", "goals.csv", "referrers.csv", "influencers.csv", "groups.csv",
                               "topics.csv", "attention.csv", "impact.csv", "perception.csv"]

    /// Runs on two connections at once, one per core: the main one (in a write
    /// transaction, for the web-audience temporary tables; nothing in the star schema is
    /// changed) and a second one in a read transaction; both see the same data, since
    /// nothing else writes meanwhile. Returns the tables in the order of `fileNames`.
    static func compute(_ fileNames: [String], from warehouse: ReportDatabase, scope: ReportScope) throws -> [CSVTable] {
        try compute(fileNames, from: warehouse, scope: scope, scopeOf: { _ in scope })
    }

    /// `scopeOf` may give a report a scope of its own (IncrementalReports: a report
    /// without periods is computed whole); the web-audience tables are cut for `scope`.
    static func compute(_ fileNames: [String], from warehouse: ReportDatabase, scope: ReportScope,
                        scopeOf: @escaping @Sendable (String) -> ReportScope) throws -> [CSVTable] {
        try compute(fileNames, from: warehouse, scope: scope, scopeOf: scopeOf, asText: false, finish: { $1 })
    }

    /// `finish` turns each table into what the caller keeps as soon as it is computed, on
    /// the thread that computed it, so that the tables' cells (several times the size of
    /// their CSV text: referrers.csv of 100,000 rows held 33 MB) are not all held until
    /// the last report is done.
    /// `asText`: a report that can give its rows as CSV lines (`CSVTable.encodedRows`)
    /// does, since the caller only writes them.
    static func compute<Kept>(_ fileNames: [String], from warehouse: ReportDatabase, scope: ReportScope,
                              scopeOf: @escaping @Sendable (String) -> ReportScope, asText: Bool,
                              finish: @escaping @Sendable (String, CSVTable) -> Kept) throws -> [Kept] {
        let webNames = fileNames.filter(readingWebAudience.contains)
        let shared = fileNames.filter { !readingWebAudience.contains($0) }
            .sorted { (longestFirst.firstIndex(of: $0) ?? longestFirst.count) < (longestFirst.firstIndex(of: $1) ?? longestFirst.count) }
        let work = WorkList<Kept>(shared)
        @Sendable func run(_ name: String, on db: SQLConnection) throws {
            work.done(name, finish(name, try table(name, db, scope: scopeOf(name), asText: asText)))
            // What the report's rows took goes back before the next one (FreedMemory).
            FreedMemory.giveBack()
        }
        let beside = DispatchGroup()
        if !shared.isEmpty {
            DispatchQueue.global().async(group: beside) {
                do {
                    try warehouse.withSecondReportConnection { db in
                        while let name = work.next() { try run(name, on: db) }
                    }
                } catch {
                    work.fail(error)
                }
            }
        }
        do {
            try warehouse.withReportConnection { db in
                if !webNames.isEmpty { try WebAudience.prepare(db, scope: scope) }
                defer { try? WebAudience.discard(db) }
                for name in webNames { try run(name, on: db) }
                while let name = work.next() { try run(name, on: db) }
            }
        } catch {
            work.fail(error)
        }
        beside.wait()
        return try work.tables(in: fileNames)
    }

    /// The reports still to compute and the tables computed, shared by the two
    /// connections' threads; after a failure on either, the other takes no more work.
    private final class WorkList<Kept>: @unchecked Sendable {
        private var waiting: [String]
        private var finished: [String: Kept] = [:]
        private var failure: Error?
        private let lock = NSLock()

        init(_ names: [String]) { waiting = names.reversed() }

        func next() -> String? {
            lock.withLock { failure == nil ? waiting.popLast() : nil }
        }

        func done(_ name: String, _ table: Kept) {
            lock.withLock { finished[name] = table }
        }

        func fail(_ error: Error) {
            lock.withLock { if failure == nil { failure = error } }
        }

        func tables(in order: [String]) throws -> [Kept] {
            try lock.withLock {
                if let failure { throw failure }
                return order.map { finished[$0]! }
            }
        }
    }

    private static func table(_ fileName: String, _ db: SQLConnection, scope: ReportScope, asText: Bool) throws -> CSVTable {
        try Trace.timed(fileName) { try computeTable(fileName, db, scope: scope, asText: asText) }
    }

    private static func computeTable(_ fileName: String, _ db: SQLConnection, scope: ReportScope, asText: Bool) throws -> CSVTable {
        switch fileName {
        case "geo.csv": return try GeoReports.countries(db, scope: scope)
        case "geo_city.csv": return try GeoReports.cities(db, scope: scope)
        case "propagation.csv": return try PropagationReport.table(db, scope: scope, asText: asText)
        case "attention.csv": return try AttentionReport.table(db, scope: scope)
        case "engagement.csv": return try EngagementReport.table(db, scope: scope)
        case "referrers.csv": return try ReferrersReport.table(db, scope: scope)
        case "perception.csv": return try PerceptionReport.table(db, scope: scope)
        case "bots.csv": return try BotsReport.table(db, scope: scope)
        case "goals.csv": return try GoalsReport.table(db, scope: scope)
        case "topics.csv": return try TopicsReport.table(db, scope: scope)
        case "groups.csv": return try GroupsReport.table(db, scope: scope)
        case "influencers.csv": return try InfluencersReport.table(db, scope: scope)
        case "vips.csv": return try VIPsReport.table(db, scope: scope)
        case "impact.csv": return try ImpactReport.table(db, scope: scope)
        default: preconditionFailure("unknown report \(fileName)")
        }
    }
}
