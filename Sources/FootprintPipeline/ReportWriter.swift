import Foundation
import FootprintConfig
import FootprintOutput
import FootprintReports
import FootprintWarehouse

/// The report stage: brings derived facts up to date with the config (brands may have
/// changed), computes every report and writes each as an atomically replaced CSV file.
public struct ReportWriter {
    public let warehouse: Warehouse
    public let config: FootprintConfig

    public init(warehouse: Warehouse, config: FootprintConfig) {
        self.warehouse = warehouse
        self.config = config
    }

    /// Returns the paths written. The files appear together: see `ReportSet`.
    @discardableResult
    public func write(to folder: String, scope: ReportScope, byteOrderMark: Bool) throws -> [String] {
        try warehouse.refreshDerivedFacts(config: config)
        let tables = try Reports.compute(from: warehouse, scope: scope.configured(by: config))
        let files = tables.map { (name: $0.name + ".csv", contents: CSVEncoder.encode($0, byteOrderMark: byteOrderMark || config.csvBom)) }
        return try ReportSet.publish(files, to: folder, fileMode: config.privacy.fileMode,
                                     folderMode: config.privacy.folderMode)
    }
}
