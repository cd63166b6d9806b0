import FootprintConfig
import FootprintOutput
import FootprintWarehouse
import GRDB

/// All reports of CONTRACT.md section 3, computed from the star schema in one read
/// transaction so they agree with each other.
public enum Reports {
    public static let fileNames = ["geo.csv", "geo_city.csv", "propagation.csv", "attention.csv", "engagement.csv", "referrers.csv", "perception.csv", "bots.csv"]

    public static func compute(from warehouse: Warehouse, scope: ReportScope) throws -> [CSVTable] {
        try compute(fileNames, from: warehouse, scope: scope)
    }

    /// One report by its file name (`geo.csv` …).
    public static func compute(_ fileName: String, from warehouse: Warehouse, scope: ReportScope) throws -> CSVTable {
        try compute([fileName], from: warehouse, scope: scope)[0]
    }

    /// Runs in one transaction (a write one, for the temporary table the web reports
    /// share; nothing in the star schema is changed).
    static func compute(_ fileNames: [String], from warehouse: Warehouse, scope: ReportScope) throws -> [CSVTable] {
        try warehouse.write { db in
            try Warehouse.withSortingCache(db) {
                try WebAudience.prepare(db, scope: scope)
                defer { try? WebAudience.discard(db) }
                return try fileNames.map { try table($0, db, scope: scope) }
            }
        }
    }

    private static func table(_ fileName: String, _ db: Database, scope: ReportScope) throws -> CSVTable {
        switch fileName {
        case "geo.csv": return try GeoReports.countries(db, scope: scope)
        case "geo_city.csv": return try GeoReports.cities(db, scope: scope)
        case "propagation.csv": return try PropagationReport.table(db, scope: scope)
        case "attention.csv": return try AttentionReport.table(db, scope: scope)
        case "engagement.csv": return try EngagementReport.table(db, scope: scope)
        case "referrers.csv": return try ReferrersReport.table(db, scope: scope)
        case "perception.csv": return try PerceptionReport.table(db, scope: scope)
        case "bots.csv": return try BotsReport.table(db, scope: scope)
        default: preconditionFailure("unknown report \(fileName)")
        }
    }
}
