import Foundation
import Testing
import FootprintConfig
import FootprintOutput
import FootprintPipeline
@testable import FootprintReports
import FootprintTestSupport
import FootprintWarehouse

/// propagation.csv written from its base (the items' figures before the first stale
/// period, kept between runs) plus the days since: an item's referring domains and top
/// referrer, counted by hand night after night, each night in a new month so that the
/// base takes in the month before. On SQLite, and on PostgreSQL when one is configured.
@Suite struct PropagationBaseTests {
    static let url = "https://blog.acme.example/posts/spread"

    /// Page views of `url` from `referrer` (a host), one visitor each.
    static func views(_ count: Int, on day: String, from referrer: String, tag: String) -> [String] {
        (0..<count).map { "\(tag)\($0),\(day)T10:00:00Z,v\(tag)\($0),\(url),https://\(referrer)/post,DE" }
    }

    /// Each night's rows; after it, the item's views, referring domains, top referrer
    /// and the base's boundary (the first day of the stale period that dim_date knows:
    /// here the night's own day).
    static let nights: [(rows: [String], views: Int, domains: Int, top: String, through: Int)] = [
        // The first run (nothing cached) makes the base of every month but the last.
        (views(3, on: "2023-12-20", from: "a.example", tag: "n1a") + views(1, on: "2024-01-10", from: "b.example", tag: "n1b"),
         4, 2, "a.example", 20240110),
        // Only b.example has new referrals (b 2): a.example, 3 in the base, stays on top.
        (views(1, on: "2024-02-10", from: "b.example", tag: "n2"), 5, 2, "a.example", 20240210),
        // b.example 4 against a.example's 3.
        (views(2, on: "2024-03-05", from: "b.example", tag: "n3"), 7, 2, "b.example", 20240305),
        // A third domain; b.example, on top in the base, has no new referrals.
        (views(1, on: "2024-04-02", from: "c.example", tag: "n4"), 8, 3, "b.example", 20240402),
        // a.example reaches b.example's 4: ties go to the first by name.
        (views(1, on: "2024-05-03", from: "a.example", tag: "n5"), 9, 3, "a.example", 20240503),
    ]

    static func run(on warehouse: WarehouseEngine, folder: String) throws {
        let config = DefaultConfig.load()
        for (index, night) in nights.enumerated() {
            let path = folder + "/web-\(index).csv"
            try Data((["event_id,timestamp,visitor_id,url,referrer,country"] + night.rows).joined(separator: "\n").utf8)
                .write(to: URL(fileURLWithPath: path))
            #expect(try Ingest(warehouse: warehouse, config: config).run(files: [path]).filesFailed == 0)
            let out = folder + "/out"
            try ReportWriter(warehouse: warehouse, config: config).write(to: out, scope: ReportScope(), byteOrderMark: false)
            let written = try String(contentsOfFile: out + "/propagation.csv", encoding: .utf8)
            let full = try Reports.compute("propagation.csv", from: warehouse, scope: ReportScope().configured(by: config))
            #expect(written == CSVEncoder.encode(full), "night \(index + 1)")
            // content_url … views (10) … referring_domains (14), top_referrer (15).
            let row = written.split(separator: "\r\n").first { $0.hasPrefix(url + ",") }?.split(separator: ",", omittingEmptySubsequences: false)
            #expect(row.map { [$0[10], $0[14], $0[15]] } == ["\(night.views)", "\(night.domains)", night.top[...]], "night \(index + 1)")
            let through = try warehouse.reading { try $0.value("SELECT through FROM report_cache_propagation_state").int64 }
            #expect(through == Int64(night.through), "night \(index + 1)")
        }
    }

    @Test func sqlite() throws {
        let folder = NSTemporaryDirectory() + "footprint-propagation-base-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.run(on: try Warehouse(path: folder + "/db.sqlite"), folder: folder)
    }

    @Test(.enabled(if: TestPostgres.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
    func postgres() throws {
        let folder = NSTemporaryDirectory() + "footprint-propagation-base-pg-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TestPostgres.withDatabase { try Self.run(on: $0, folder: folder) }
    }
}
