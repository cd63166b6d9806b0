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

    /// Returns the paths written.
    @discardableResult
    public func write(to folder: String, scope: ReportScope, byteOrderMark: Bool) throws -> [String] {
        try warehouse.refreshDerivedFacts(config: config)
        let tables = try Reports.compute(from: warehouse, scope: scope)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var written: [String] = []
        for table in tables {
            let path = (folder as NSString).appendingPathComponent(table.name + ".csv")
            try AtomicFile.write(CSVEncoder.encode(table, byteOrderMark: byteOrderMark || config.csvBom), to: path)
            written.append(path)
        }
        return written
    }
}
