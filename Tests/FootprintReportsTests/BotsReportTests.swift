import Foundation
import Testing
import FootprintConfig
import FootprintPipeline
import FootprintReports
import FootprintOutput
import GRDB
import FootprintWarehouse

/// bots.csv on a hand-counted fixture: bots and referrer spam are counted, not loaded,
/// and their share is of all the channel's traffic in the period.
@Suite struct BotsReportTests {
    static let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
    static let googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    // Blog, April (UTC): 2 people, 1 Googlebot, 2 hits referred by semalt (one from a
    // subdomain), 1 from a domain the config adds. Clicks: 1 person, 1 curl.
    static let web = """
        event_id,timestamp,visitor_id,url,referrer,user_agent
        w1,2024-04-10T10:00:00Z,v1,https://blog.acme.example/a,,\(firefox)
        w2,2024-04-10T11:00:00Z,v2,https://blog.acme.example/a,https://www.google.com/,\(firefox)
        w3,2024-04-10T12:00:00Z,v3,https://blog.acme.example/a,,\(googlebot)
        w4,2024-04-30T23:30:00Z,v4,https://blog.acme.example/b,http://semalt.com/,\(firefox)
        w5,2024-04-11T10:00:00Z,v5,https://blog.acme.example/b,http://x.semalt.com/page,\(firefox)
        w6,2024-04-11T10:05:00Z,v6,https://blog.acme.example/b,https://best-seo.example/,\(firefox)
        """
    static let clicks = """
        click_id,timestamp,short_url,long_url,user_agent
        c1,2024-04-12T10:00:00Z,https://acme.link/a,https://blog.acme.example/a,\(firefox)
        c2,2024-04-12T10:01:00Z,https://acme.link/a,https://blog.acme.example/a,curl/8.4.0
        """
    static func config(zone: String) throws -> FootprintConfig {
        try ConfigLoader.parse("""
            timezone = "\(zone)"
            spam_referrers = ["best-seo.example"]
            [properties]
            "blog.acme.example" = "blog"
            """)
    }

    @Test func filteredTrafficIsCountedPerSourceWithItsShareOfTheChannel() throws {
        let folder = NSTemporaryDirectory() + "footprint-bots-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(Self.web.utf8).write(to: URL(fileURLWithPath: folder + "/web.csv"))
        try Data(Self.clicks.utf8).write(to: URL(fileURLWithPath: folder + "/clicks.csv"))
        let warehouse = try Warehouse(path: folder + "/db.sqlite")
        let utc = try Self.config(zone: "UTC")
        let summary = try Ingest(warehouse: warehouse, config: utc).run(files: [folder + "/web.csv", folder + "/clicks.csv"])
        let web = try #require(summary.files[0].result)
        #expect(web.loaded == 2)
        #expect(web.skippedByReason == ["bot (Googlebot)": 1, "referrer spam (semalt.com)": 2, "referrer spam (best-seo.example)": 1])
        // Blog, April: 2 people + 4 filtered = 6 hits; clicks: 1 + 1.
        #expect(CSVEncoder.encode(try Reports.compute("bots.csv", from: warehouse, scope: ReportScope(period: .month)), byteOrderMark: false) == """
            period,channel,cause,source,hits,share\r
            2024-04,clicks,bot,curl,1,0.5\r
            2024-04,web:blog,referrer_spam,semalt.com,2,0.3333\r
            2024-04,web:blog,bot,Googlebot,1,0.1667\r
            2024-04,web:blog,referrer_spam,best-seo.example,1,0.1667\r

            """)
        // Loading the same files again counts nothing twice.
        _ = try Ingest(warehouse: warehouse, config: utc).run(files: [folder + "/web.csv", folder + "/clicks.csv"])
        #expect(try warehouse.read { db in try Int.fetchOne(db, sql: "SELECT SUM(hits) FROM fact_filtered_traffic") } == 5)
        // In Berlin, 23:30Z on 30 April is 1 May: the counts move with the zone.
        let berlin = try Self.config(zone: "Europe/Berlin")
        _ = try Ingest(warehouse: warehouse, config: berlin).run(files: [])
        let byMonth = try warehouse.read { db in
            try Row.fetchAll(db, sql: "SELECT d.month, SUM(f.hits) FROM fact_filtered_traffic f JOIN dim_date d USING (date_key) GROUP BY 1 ORDER BY 1")
                .map { "\($0[0] as String)=\($0[1] as Int)" }
        }
        #expect(byMonth == ["2024-04=4", "2024-05=1"])   // 3 web + curl stay in April
    }
}
