import Foundation
import FootprintConfig
import FootprintInput
import FootprintOutput
import FootprintReports
import FootprintWarehouse

/// The report stage: brings derived facts up to date with the config (brands may have
/// changed), computes every report (the periods new data changed; IncrementalReports)
/// and writes each as an atomically replaced CSV file.
public struct ReportWriter {
    public let warehouse: WarehouseEngine
    public let config: FootprintConfig

    public init(warehouse: WarehouseEngine, config: FootprintConfig) {
        self.warehouse = warehouse
        self.config = config
    }

    /// Returns the paths written. The files appear together: see `ReportSet`.
    @discardableResult
    public func write(to folder: String, scope: ReportScope, byteOrderMark: Bool) throws -> [String] {
        try warehouse.refreshDerivedFacts(config: config)
        Trace.mark("derived facts checked")
        let reports = try IncrementalReports.compute(from: warehouse, scope: scope.configured(by: config), config: config)
        let bom = byteOrderMark || config.csvBom ? "\u{FEFF}" : ""
        Trace.mark("reports computed")
        return try ReportSet.publish(reports.names, to: folder, fileMode: config.privacy.fileMode,
                                     folderMode: config.privacy.folderMode) { name, file in
            try file.write(bom)
            try reports.write(name, to: file)
        }
    }
}
