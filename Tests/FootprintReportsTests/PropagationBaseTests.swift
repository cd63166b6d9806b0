import Foundation
import Testing
import FootprintConfig
import FootprintOutput
import FootprintPipeline
@testable import FootprintReports
import FootprintTestSupport
import FootprintWarehouse

/// propagation.csv written from its base (the items' figures before the first stale
/// period, kept between runs) plus the days since: an item's referring domains, top
/// referrer and thread cascades, counted by hand night after night, each night in a new
/// month so that the base takes in the month before. On SQLite, and on PostgreSQL when
/// one is configured.
@Suite struct PropagationBaseTests {
    static let url = "https://blog.acme.example/posts/spread"

    /// Page views of `url` from `referrer` (a host), one visitor each.
    static func views(_ count: Int, on day: String, from referrer: String, tag: String) -> [String] {
        (0..<count).map { "\(tag)\($0),\(day)T10:00:00Z,v\(tag)\($0),\(url),https://\(referrer)/post,DE" }
    }

    /// A group activity in JSON lines: `parent` answered, `url` carried.
    static func activity(_ id: String, on day: String, parent: String? = nil, url: String? = nil) -> String {
        var fields = [#""activity_id": "\#(id)""#, #""timestamp": "\#(day)T09:00:00Z""#, #""platform": "linkedin""#,
                      #""group": "CIO Circle""#, #""actor_id": "m\#(id)""#, #""action": "\#(parent == nil ? "post" : "comment")""#]
        if let parent { fields.append(#""parent_id": "\#(parent)""#) }
        if let url { fields.append(#""url": "\#(url)""#) }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    struct Night {
        var views: [String], activities: [String] = []
        /// The item's figures after the night: views, group activities in the threads it
        /// was shared in, their deepest reply, referring domains, top referrer.
        var expected: (views: Int, activities: Int, depth: Int, domains: Int, top: String)
        /// The base's boundary after it: the first day of the stale period that dim_date
        /// knows.
        var through: Int
    }

    static let nights: [Night] = [
        // The first run (nothing cached) makes the base of every month but the last.
        // Thread a1 shares the item (a comment a2 on it in January); thread b1 does not.
        Night(views: views(3, on: "2023-12-20", from: "a.example", tag: "n1a") + views(1, on: "2024-01-10", from: "b.example", tag: "n1b"),
              activities: [activity("a1", on: "2023-12-20", url: url), activity("b1", on: "2023-12-21"),
                           activity("b2", on: "2023-12-22", parent: "b1"), activity("a2", on: "2024-01-10", parent: "a1")],
              expected: (4, 2, 1, 2, "a.example"), through: 20240110),
        // Only b.example has new referrals (b 2): a.example, 3 in the base, stays on top.
        // A reply deeper in a1's thread; the item shared into b1's December thread, whose
        // two earlier activities now count for it too. Activity in December's threads
        // makes December stale (a thread reaches back to its root): the base starts again.
        Night(views: views(1, on: "2024-02-10", from: "b.example", tag: "n2"),
              activities: [activity("a3", on: "2024-02-10", parent: "a2"), activity("b3", on: "2024-02-10", parent: "b2", url: url)],
              expected: (5, 6, 2, 2, "a.example"), through: 20231220),
        // b.example 4 against a.example's 3.
        Night(views: views(2, on: "2024-03-05", from: "b.example", tag: "n3"),
              activities: [activity("a4", on: "2024-03-05", parent: "a3")],
              expected: (7, 7, 3, 2, "b.example"), through: 20231220),
        // A third domain; b.example, on top in the base, has no new referrals. The base
        // now holds December to March, both threads' activities with it.
        Night(views: views(1, on: "2024-04-02", from: "c.example", tag: "n4"), expected: (8, 7, 3, 3, "b.example"), through: 20240402),
        // a.example reaches b.example's 4: ties go to the first by name.
        Night(views: views(1, on: "2024-05-03", from: "a.example", tag: "n5"), expected: (9, 7, 3, 3, "a.example"), through: 20240503),
    ]

    static func run(on warehouse: WarehouseEngine, folder: String) throws {
        let config = DefaultConfig.load()
        for (index, night) in nights.enumerated() {
            var paths = [folder + "/web-\(index).csv"]
            try Data((["event_id,timestamp,visitor_id,url,referrer,country"] + night.views).joined(separator: "\n").utf8)
                .write(to: URL(fileURLWithPath: paths[0]))
            if !night.activities.isEmpty {
                paths.append(folder + "/groups-\(index).jsonl")
                try Data(night.activities.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: paths[1]))
            }
            #expect(try Ingest(warehouse: warehouse, config: config).run(files: paths).filesFailed == 0)
            let out = folder + "/out"
            try ReportWriter(warehouse: warehouse, config: config).write(to: out, scope: ReportScope(), byteOrderMark: false)
            let written = try String(contentsOfFile: out + "/propagation.csv", encoding: .utf8)
            let full = try Reports.compute("propagation.csv", from: warehouse, scope: ReportScope().configured(by: config))
            #expect(written == CSVEncoder.encode(full), "night \(index + 1)")
            // content_url … views (10), clicks, group_activities (12), max_cascade_depth,
            // referring_domains (14), top_referrer (15).
            let row = written.split(separator: "\r\n").first { $0.hasPrefix(url + ",") }?.split(separator: ",", omittingEmptySubsequences: false)
            let e = night.expected
            #expect(row.map { [$0[10], $0[12], $0[13], $0[14], $0[15]] }
                    == ["\(e.views)", "\(e.activities)", "\(e.depth)", "\(e.domains)", e.top[...]], "night \(index + 1)")
            let through = try warehouse.reading { try $0.value("SELECT through FROM report_cache_propagation_state").int64 }
            #expect(through == Int64(night.through), "night \(index + 1)")
        }
    }

    /// The base is trusted only while the report cache tracks what changed: with the
    /// cache's state gone (a run that failed after making the base), a late view for a
    /// month inside the base still shows.
    @Test func aBaseWithoutTheCachesTrackingIsMadeAgain() throws {
        let folder = try TestFolder()
        let warehouse = try Warehouse(path: folder.file("db.sqlite"))
        let config = DefaultConfig.load()
        func night(_ rows: [String], _ name: String) throws {
            let path = try folder.write(name, (["event_id,timestamp,visitor_id,url,referrer,country"] + rows).joined(separator: "\n"))
            #expect(try Ingest(warehouse: warehouse, config: config).run(files: [path]).filesFailed == 0)
            try ReportWriter(warehouse: warehouse, config: config).write(to: folder.file("out"), scope: ReportScope(), byteOrderMark: false)
        }
        try night(Self.views(2, on: "2024-01-10", from: "a.example", tag: "j") + Self.views(1, on: "2024-02-10", from: "b.example", tag: "f"), "web-1.csv")
        #expect(try warehouse.reading { try $0.value("SELECT through FROM report_cache_propagation_state").int64 } == 20240210)
        try warehouse.write { try $0.execute(sql: "DELETE FROM report_cache_state") }
        try night(Self.views(3, on: "2024-01-11", from: "c.example", tag: "late"), "web-2.csv")
        let written = try String(contentsOfFile: folder.file("out") + "/propagation.csv", encoding: .utf8)
        let full = try Reports.compute("propagation.csv", from: warehouse, scope: ReportScope().configured(by: config))
        #expect(written == CSVEncoder.encode(full))
        #expect(written.contains(",6,0,0,,3,c.example\r\n"), "\(written)")
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
