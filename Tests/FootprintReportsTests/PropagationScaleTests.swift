import Foundation
import GRDB
import Testing
import FootprintConfig
import FootprintOutput
import FootprintPipeline
import FootprintTestSupport
import FootprintWarehouse
@testable import FootprintReports

/// propagation.csv was quadratic in the number of referred pages (issue #14 item 4: 5k
/// pages 0.9 s, 20k 13 s, 200k over 15 minutes): its top-referrer CTE, ranked with a
/// window function, was scanned whole for every content item. The time is measured by
/// scripts/bench; here the plan and the tie-breaking are checked.
@Suite struct PropagationScaleTests {
    static func warehouse(_ folder: TestFolder) throws -> Warehouse {
        var web = "event_id,timestamp,visitor_id,url,referrer\n"
        // p1: b.example and a.example twice each (a tie: a.example wins by name), c.example once.
        for (i, ref) in ["https://b.example/1", "https://a.example/1", "https://b.example/2", "https://a.example/2",
                         "https://c.example/", ""].enumerated() {
            web += "p1-\(i),2024-05-0\(i + 1)T10:00:00Z,v\(i),https://acme.example/p1,\(ref)\n"
        }
        for i in 0..<200 { web += "q\(i),2024-05-10T10:00:00Z,w\(i),https://acme.example/q\(i),https://r\(i % 7).example/\n" }
        let warehouse = try Warehouse(path: folder.file("db.sqlite"))
        let summary = try Ingest(warehouse: warehouse, config: FootprintConfig()).run(files: [try folder.write("web.csv", web)])
        #expect(summary.rowsRejected == 0)
        return warehouse
    }

    /// With propagation's base too: its referrals are joined per pair, by key.
    @Test func everyItemJoinIsAnIndexSearchNotAScan() throws {
        let folder = try TestFolder()
        let warehouse = try Self.warehouse(folder)
        let plan = try warehouse.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + PropagationReport.sql, arguments: ["first": 0, "last": 99_999_999, "from": 20240501, "base": 1])
                .map { $0["detail"] as String }
        }
        let scannedPerItem = plan.filter { $0.hasPrefix("SCAN") && $0.hasSuffix("LEFT-JOIN") }
        #expect(scannedPerItem.isEmpty, "\(plan.joined(separator: "\n"))")
    }

    @Test func topReferrerHasMostReferralsThenTheFirstName() throws {
        let folder = try TestFolder()
        let warehouse = try Self.warehouse(folder)
        let table = try Reports.compute("propagation.csv", from: warehouse, scope: ReportScope(period: .month))
        let urlColumn = table.columns.firstIndex(of: "content_url")!
        let p1 = try #require(table.rows.first { $0[urlColumn] == .text("https://acme.example/p1") })
        #expect(p1[table.columns.firstIndex(of: "referring_domains")!] == .integer(3))
        #expect(p1[table.columns.firstIndex(of: "top_referrer")!] == .text("a.example"))
        #expect(p1[table.columns.firstIndex(of: "views")!] == .integer(6))
        #expect(table.rows.count == 201)
    }

    /// The rows come in the file's order from SQL (most channels reached, then most
    /// activity, then URL byte by byte), checked here against a sort in Swift; written
    /// spooled as text while read and copied out (the report command's way:
    /// SpooledReport) they are the same lines as the cells. 200 pages tie on channels
    /// and activity, so the URL order is exercised.
    @Test func rowsAsTextAreTheCellsInTheFilesOrder() throws {
        let folder = try TestFolder()
        let warehouse = try Self.warehouse(folder)
        let scope = ReportScope(period: .month)
        let cells = try Reports.compute("propagation.csv", from: warehouse, scope: scope)
        let spooled = try SpooledReport(whole: true)
        try warehouse.withReportConnection { db in try PropagationReport.table(db, scope: scope, into: spooled) }
        let path = folder.file("propagation.csv")
        try AtomicFile.write(to: path) { out in
            try out.write(spooled.header)
            for period in spooled.periods { try spooled.copy(period, to: out) }
        }
        #expect(spooled.periods.count == 1)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == CSVEncoder.encode(cells))
        func column(_ name: String) -> Int { cells.columns.firstIndex(of: name)! }
        func int(_ row: [CSVTable.Cell], _ name: String) -> Int64 {
            if case .integer(let value) = row[column(name)] { return value }
            return 0
        }
        func url(_ row: [CSVTable.Cell]) -> [UInt8] {
            if case .text(let value) = row[column("content_url")] { return Array(value.utf8) }
            return []
        }
        func total(_ row: [CSVTable.Cell]) -> Int64 { int(row, "views") + int(row, "clicks") + int(row, "group_activities") }
        let expected = cells.rows.sorted { a, b in
            if int(a, "channels_reached") != int(b, "channels_reached") { return int(a, "channels_reached") > int(b, "channels_reached") }
            if total(a) != total(b) { return total(a) > total(b) }
            return url(a).lexicographicallyPrecedes(url(b))
        }
        #expect(cells.rows == expected)
        #expect(cells.rows.count == 201)
    }
}
