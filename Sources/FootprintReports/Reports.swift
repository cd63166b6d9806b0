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

    /// The reports that read the shared web-audience tables (WebAudience).
    static let readingWebAudience: Set<String> = ["geo.csv", "geo_city.csv", "engagement.csv", "bots.csv"]
    /// Reports that run beside them on the main connection, so that the two
    /// connections take about as long (scripts/bench, CPU ms: web audience with geo,
    /// geo_city, engagement and bots ~1,550, goals, topics and perception ~690; on the
    /// other connection propagation, attention, referrers, influencers, vips, impact
    /// and groups ~2,400).
    static let besideWebAudience: Set<String> = ["goals.csv", "topics.csv", "perception.csv"]

    /// Runs on two connections at once, one per core: the reports that share the web
    /// audience table on the main connection (in a write transaction, for that temporary
    /// table; nothing in the star schema is changed), the others in a read transaction
    /// on a second connection. Returns the tables in the order of `fileNames`.
    static func compute(_ fileNames: [String], from warehouse: ReportDatabase, scope: ReportScope) throws -> [CSVTable] {
        try compute(fileNames, from: warehouse, scope: scope, scopeOf: { _ in scope })
    }

    /// `scopeOf` may give a report a scope of its own (IncrementalReports: a report
    /// without periods is computed whole); the web-audience tables are cut for `scope`.
    static func compute(_ fileNames: [String], from warehouse: ReportDatabase, scope: ReportScope,
                        scopeOf: @escaping @Sendable (String) -> ReportScope) throws -> [CSVTable] {
        let webNames = fileNames.filter { readingWebAudience.contains($0) || besideWebAudience.contains($0) }
        let otherNames = fileNames.filter { !webNames.contains($0) }
        let others = ResultBox()
        let beside = DispatchGroup()
        if !otherNames.isEmpty {
            DispatchQueue.global().async(group: beside) {
                others.result = Result {
                    try warehouse.withSecondReportConnection { db in
                        try otherNames.map { try table($0, db, scope: scopeOf($0)) }
                    }
                }
            }
        }
        let web: [CSVTable]
        do {
            web = webNames.isEmpty ? [] : try warehouse.withReportConnection { db in
                if webNames.contains(where: readingWebAudience.contains) { try WebAudience.prepare(db, scope: scope) }
                defer { try? WebAudience.discard(db) }
                return try webNames.map { try table($0, db, scope: scopeOf($0)) }
            }
        } catch {
            beside.wait()
            throw error
        }
        beside.wait()
        let byName = Dictionary(uniqueKeysWithValues: Array(zip(webNames, web)) + Array(zip(otherNames, try others.result.get())))
        return fileNames.map { byName[$0]! }
    }

    /// Carries the second connection's result back; written before `beside.wait()`
    /// returns and read only after it.
    private final class ResultBox: @unchecked Sendable {
        var result: Result<[CSVTable], Error> = .success([])
    }

    private static func table(_ fileName: String, _ db: SQLConnection, scope: ReportScope) throws -> CSVTable {
        try Trace.timed(fileName) { try computeTable(fileName, db, scope: scope) }
    }

    private static func computeTable(_ fileName: String, _ db: SQLConnection, scope: ReportScope) throws -> CSVTable {
        switch fileName {
        case "geo.csv": return try GeoReports.countries(db, scope: scope)
        case "geo_city.csv": return try GeoReports.cities(db, scope: scope)
        case "propagation.csv": return try PropagationReport.table(db, scope: scope)
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
