import FootprintConfig
import FootprintOutput
import FootprintWarehouse
import GRDB

/// All reports of CONTRACT.md section 3, computed from the star schema in one read
/// transaction so they agree with each other.
public enum Reports {
    public static let fileNames = ["geo.csv", "geo_city.csv", "propagation.csv", "attention.csv", "engagement.csv", "referrers.csv", "perception.csv"]

    public static func compute(from warehouse: Warehouse, scope: ReportScope) throws -> [CSVTable] {
        try warehouse.read { db in
            [
                try GeoReports.countries(db, scope: scope),
                try GeoReports.cities(db, scope: scope),
                try PropagationReport.table(db, scope: scope),
                try AttentionReport.table(db, scope: scope),
                try EngagementReport.table(db, scope: scope),
                try ReferrersReport.table(db, scope: scope),
                try PerceptionReport.table(db, scope: scope),
            ]
        }
    }
}
