import Foundation
import GRDB
import Testing
import FootprintConfig
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

    @Test func everyItemJoinIsAnIndexSearchNotAScan() throws {
        let folder = try TestFolder()
        let warehouse = try Self.warehouse(folder)
        let plan = try warehouse.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + PropagationReport.sql, arguments: ["first": 0, "last": 99_999_999])
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
}
