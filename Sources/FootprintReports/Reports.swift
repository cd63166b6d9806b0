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
        try compute(fileNames, from: warehouse, scope: scope, scopeOf: scopeOf, sink: { _ in TableSink() }, finish: { $0.table })
    }

    /// Each report's rows go to the sink `sink` makes for it as they are read, and
    /// `finish` turns the sink into what the caller keeps, on the thread that computed
    /// the report: the review keeps tables (`TableSink`), the report files only where
    /// their rows were written (`SpooledReport`), so that no report is held whole.
    static func compute<Sink: ReportSink, Kept>(_ fileNames: [String], from warehouse: ReportDatabase, scope: ReportScope,
                                                scopeOf: @escaping @Sendable (String) -> ReportScope,
                                                sink: @escaping @Sendable (String) throws -> Sink,
                                                finish: @escaping @Sendable (Sink) throws -> Kept) throws -> [Kept] {
        let webNames = fileNames.filter(readingWebAudience.contains)
        let shared = fileNames.filter { !readingWebAudience.contains($0) }
            .sorted { (longestFirst.firstIndex(of: $0) ?? longestFirst.count) < (longestFirst.firstIndex(of: $1) ?? longestFirst.count) }
        let work = WorkList<Kept>(shared)
        @Sendable func run(_ name: String, on db: SQLConnection) throws {
            let rows = try sink(name)
            try Trace.timed(name) { try computeTable(name, db, scope: scopeOf(name), into: rows) }
            work.done(name, try finish(rows))
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

    private static func computeTable(_ fileName: String, _ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        switch fileName {
        case "geo.csv": try GeoReports.countries(db, scope: scope, into: sink)
        case "geo_city.csv": try GeoReports.cities(db, scope: scope, into: sink)
        case "propagation.csv": try PropagationReport.table(db, scope: scope, into: sink)
        case "attention.csv": try AttentionReport.table(db, scope: scope, into: sink)
        case "engagement.csv": try EngagementReport.table(db, scope: scope, into: sink)
        case "referrers.csv": try ReferrersReport.table(db, scope: scope, into: sink)
        case "perception.csv": try PerceptionReport.table(db, scope: scope, into: sink)
        case "bots.csv": try BotsReport.table(db, scope: scope, into: sink)
        case "goals.csv": try GoalsReport.table(db, scope: scope, into: sink)
        case "topics.csv": try TopicsReport.table(db, scope: scope, into: sink)
        case "groups.csv": try GroupsReport.table(db, scope: scope, into: sink)
        case "influencers.csv": try InfluencersReport.table(db, scope: scope, into: sink)
        case "vips.csv": try VIPsReport.table(db, scope: scope, into: sink)
        case "impact.csv": try ImpactReport.table(db, scope: scope, into: sink)
        default: preconditionFailure("unknown report \(fileName)")
        }
    }
}
