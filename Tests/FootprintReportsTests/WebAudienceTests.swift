import Foundation
import Testing
import FootprintConfig
import FootprintOutput
import FootprintPipeline
import FootprintReports
import FootprintTestSupport
import FootprintWarehouse

/// Distinct visitors in geo, geo_city and engagement, counted by VisitorPeriods from the
/// visitor-day summary: a visitor seen in two cities of one country on two days is one
/// visitor of that country and of the property, one of each city.
@Suite struct WebAudienceTests {
    @Test func visitorsAreDistinctPerCountryCityAndProperty() throws {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }  // the database lives in it
        // v1: Berlin on the 2nd (two views), Munich on the 3rd; v2: Berlin; v3: Paris.
        // Engaged seconds on three of the five site views: (10 + 20 + 60) / 3 = 30.0.
        let web = """
            event_id,timestamp,visitor_id,url,country,region,city,engaged_seconds
            e1,2024-05-02T10:00:00Z,v1,https://www.acme.example/,DE,BE,Berlin,10
            e2,2024-05-02T10:05:00Z,v1,https://www.acme.example/a,DE,BE,Berlin,
            e3,2024-05-03T09:00:00Z,v1,https://www.acme.example/b,DE,BY,Munich,20
            e4,2024-05-04T09:00:00Z,v2,https://www.acme.example/,DE,BE,Berlin,
            e5,2024-05-04T12:00:00Z,v3,https://www.acme.example/,FR,IDF,Paris,60

            """
        let file = try folder.write("web.csv", web)
        let config = DefaultConfig.load()
        let warehouse = try Warehouse(path: folder.file("db.sqlite"))
        _ = try Ingest(warehouse: warehouse, config: config).run(files: [file])
        let scope = ReportScope(period: .month)
        func cells(_ name: String) throws -> [[String]] {
            let text = CSVEncoder.encode(try Reports.compute(name, from: warehouse, scope: scope))
            return text.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        }

        // country, events, people
        #expect(try cells("geo.csv").map { [$0[2], $0[4], $0[5]] } == [["DE", "4", "2"], ["FR", "1", "1"]])
        // city, events, people
        #expect(try cells("geo_city.csv").map { [$0[4], $0[5], $0[6]] } == [["Berlin", "3", "2"], ["Munich", "1", "1"], ["Paris", "1", "1"]])
        // pageviews, visitors, average engaged seconds
        #expect(try cells("engagement.csv").map { [$0[2], $0[3], $0[5]] } == [["5", "3", "30"]])
    }
}
