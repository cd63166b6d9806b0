import Foundation
import Testing
import FootprintConfig
import FootprintOutput
import FootprintPipeline
import FootprintReports
import FootprintWarehouse

/// Every number below was worked out by hand from HandComputedFixture; the reasoning
/// for the less obvious ones is in the comments. Months are cut in Europe/Berlin.
@Suite struct ReportsGoldenTests {
    static func reports(period: ReportScope.Period = .month) throws -> [String: String] {
        let folder = NSTemporaryDirectory() + "footprint-golden-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let inputs = ["web.csv": HandComputedFixture.web, "clicks.csv": HandComputedFixture.clicks,
                      "groups.jsonl": HandComputedFixture.groups]
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        for (name, text) in inputs { try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/inbox/" + name)) }
        let config = try ConfigLoader.parse(HandComputedFixture.config)
        let warehouse = try Warehouse(path: folder + "/db.sqlite")
        let summary = try Ingest(warehouse: warehouse, config: config).run(files: try InputFiles.expand([folder + "/inbox"]))
        #expect(summary.rowsRejected == 0)
        #expect(summary.filesFailed == 0)
        let out = folder + "/out"
        try ReportWriter(warehouse: warehouse, config: config).write(to: out, scope: ReportScope(period: period), byteOrderMark: false)
        var texts: [String: String] = [:]
        for name in Reports.fileNames {
            texts[name] = try String(contentsOfFile: out + "/" + name, encoding: .utf8)
        }
        return texts
    }

    /// Expected CSV as written here (LF, indented) → as the writer emits it (CRLF).
    static func csv(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "\r\n") + "\r\n"
    }

    @Test func engagement() throws {
        // Site, April: v1 has sessions 08:00–08:10 (2 pages) and 09:00 (cut by the 30-minute
        // rule, 1 page); v2 one session of 1 page → 3 sessions, 2 bounces. Engaged seconds
        // average over the 3 views that have them: (30+60+20)/3 = 36.7. v1's second session
        // makes v1 returning: 1 of 2 visitors. w5 (22:30Z on 30 April) is 1 May in Berlin:
        // v2's second session, a returning visitor and a bounce.
        #expect(try Self.reports()["engagement.csv"] == Self.csv("""
            period,property,pageviews,visitors,sessions,avg_engaged_seconds,bounce_rate,returning_visitor_rate
            2024-04,blog,4,3,3,53.3,0.6667,0
            2024-04,site,4,2,3,36.7,0.6667,0.5
            2024-05,site,1,1,1,40,1,1
            """))
    }

    @Test func referrers() throws {
        // Visits are sessions, credited to the referrer of their first page view.
        #expect(try Self.reports()["referrers.csv"] == Self.csv("""
            period,property,referrer_domain,category,visits,share,rank
            2024-04,blog,linkedin.com,social,1,0.3333,1
            2024-04,blog,t.co,social,1,0.3333,2
            2024-04,blog,techcrunch.com,news,1,0.3333,3
            2024-04,site,(direct),direct,1,0.3333,1
            2024-04,site,google.com,search,1,0.3333,2
            2024-04,site,t.co,social,1,0.3333,3
            2024-05,site,techcrunch.com,news,1,1,1
            """))
    }

    @Test func geography() throws {
        // Groups are weighted by count (the like carries 5): US 1+5, DE 2, FR 1 of 9.
        // index_vs_site divides by the site's share: groups US (6/9)/(1/4) = 2.6667,
        // DE (2/9)/(3/4) = 0.2963; clicks DE (1/3)/(3/4) = 0.4444. IN, BR, FR and GB have
        // no site share, so their index is empty.
        #expect(try Self.reports()["geo.csv"] == Self.csv("""
            period,channel,country_code,country_name,events,people,share,index_vs_site
            2024-04,clicks,DE,Germany,1,,0.3333,0.4444
            2024-04,clicks,IN,India,1,,0.3333,
            2024-04,clicks,US,United States,1,,0.3333,1.3333
            2024-04,groups,US,United States,6,1,0.6667,2.6667
            2024-04,groups,DE,Germany,2,1,0.2222,0.2963
            2024-04,groups,FR,France,1,1,0.1111,
            2024-04,web:blog,IN,India,2,1,0.5,
            2024-04,web:blog,BR,Brazil,1,1,0.25,
            2024-04,web:blog,DE,Germany,1,1,0.25,0.3333
            2024-04,web:site,DE,Germany,3,1,0.75,1
            2024-04,web:site,US,United States,1,1,0.25,1
            2024-05,clicks,DE,Germany,1,,1,
            2024-05,groups,GB,United Kingdom,1,1,1,
            2024-05,web:site,US,United States,1,1,1,1
            """))
    }

    @Test func geographyByCity() throws {
        #expect(try Self.reports()["geo_city.csv"] == Self.csv("""
            period,channel,country_code,region,city,events,people,share
            2024-04,clicks,DE,,,1,,0.3333
            2024-04,clicks,IN,,,1,,0.3333
            2024-04,clicks,US,,,1,,0.3333
            2024-04,groups,US,,,6,1,0.6667
            2024-04,groups,DE,,,2,1,0.2222
            2024-04,groups,FR,,,1,1,0.1111
            2024-04,web:blog,IN,,Pune,2,1,0.5
            2024-04,web:blog,BR,,,1,1,0.25
            2024-04,web:blog,DE,Bavaria,Munich,1,1,0.25
            2024-04,web:site,DE,Bavaria,Munich,3,1,0.75
            2024-04,web:site,US,,,1,1,0.25
            2024-05,clicks,DE,,,1,,1
            2024-05,groups,GB,,,1,1,1
            2024-05,web:site,US,,,1,1,1
            """))
    }

    @Test func attention() throws {
        // Mentions: g1 "Acme's" and g3 "ACME," mention Acme; g2 and g6 Globex; g6 "@acme";
        // g4 "Acmeology" does not count. Clicks: blog.acme.example is a subdomain of
        // acme.example; www.globex.example is globex.example. May vs April in `all`:
        // 0.5 − 2/3 = −0.1667 and 0.5 − 1/3 = +0.1667.
        #expect(try Self.reports()["attention.csv"] == Self.csv("""
            period,channel,entity,is_self,mentions,share,clicks,click_share,share_change
            2024-04,all,Acme,true,2,0.6667,2,0.6667,
            2024-04,all,Globex,false,1,0.3333,1,0.3333,
            2024-04,email,Globex,false,0,,1,1,
            2024-04,email,Acme,true,0,,0,0,
            2024-04,linkedin,Acme,true,2,0.6667,0,,
            2024-04,linkedin,Globex,false,1,0.3333,0,,
            2024-04,twitter,Acme,true,0,,2,1,
            2024-04,twitter,Globex,false,0,,0,0,
            2024-05,all,Acme,true,1,0.5,1,1,-0.1667
            2024-05,all,Globex,false,1,0.5,0,0,0.1667
            2024-05,facebook,Acme,true,1,0.5,0,,
            2024-05,facebook,Globex,false,1,0.5,0,,
            2024-05,linkedin,Acme,true,0,,1,1,
            2024-05,linkedin,Globex,false,0,,0,0,
            """))
    }

    @Test func propagation() throws {
        // The launch post: clicked at 09:00 (c1) before its first view at 10:00 (b1, from
        // t.co, so web and social tie and keep the listed order), shared at 12:00 through
        // its short link (g1, resolved), reached news on the 20th: 217 hours after first
        // seen. Its thread g1→g2→g3→g4 is 3 deep; the like under g4 adds weight (5), not
        // depth: 1+1+1+1+5 = 9 activities. The home page has 3 views (w1, w3, w4) from two
        // referring domains; the direct one (w4) is not a referring domain.
        #expect(try Self.reports()["propagation.csv"] == Self.csv("""
            content_url,first_seen,first_owned_view,first_click,first_group_share,first_social_referral,first_news_referral,hours_to_news,channel_path,channels_reached,views,clicks,group_activities,max_cascade_depth,referring_domains,top_referrer
            https://blog.acme.example/posts/launch,2024-04-11T09:00:00Z,2024-04-11T10:00:00Z,2024-04-11T09:00:00Z,2024-04-11T12:00:00Z,2024-04-11T10:00:00Z,2024-04-20T10:00:00Z,217,clicks>web>social>groups>news,5,3,3,9,3,3,linkedin.com
            https://acme.example,2024-04-10T08:00:00Z,2024-04-10T08:00:00Z,,,2024-04-10T09:00:00Z,,,web>search>social,3,3,0,0,,2,google.com
            https://acme.example/pricing,2024-04-30T22:30:00Z,2024-04-30T22:30:00Z,,,,2024-04-30T22:30:00Z,0,web>news,2,1,0,0,,1,techcrunch.com
            https://acme.example/products,2024-04-10T08:10:00Z,2024-04-10T08:10:00Z,,,,,,web,1,1,0,0,,0,
            https://blog.acme.example/posts/other,2024-04-11T10:05:00Z,2024-04-11T10:05:00Z,,,,,,web,1,1,0,0,,0,
            https://globex.example/offer,2024-04-12T09:00:00Z,,2024-04-12T09:00:00Z,,,,,clicks,1,0,1,0,,0,
            """))
    }

    @Test func perception() throws {
        // g1 mentions Acme with "services" (aspired); g6 mentions both brands with
        // "hardware" (current). Nothing else uses a positioning term.
        #expect(try Self.reports()["perception.csv"] == Self.csv("""
            period,entity,mentions,current_mentions,aspired_mentions,aspired_share
            2024-04,Acme,2,0,1,1
            2024-04,Globex,1,0,0,
            2024-05,Acme,1,1,0,0
            2024-05,Globex,1,1,0,0
            """))
    }

    @Test func quarterPeriodsMergeTheMonths() throws {
        let engagement = try Self.reports(period: .quarter)["engagement.csv"]
        // Site: 5 page views, v1 and v2, 4 sessions (3 bounces: v1's second, both of v2's),
        // engaged (30+60+20+40)/4 = 37.5; returning: v1 and v2 both had a second session.
        #expect(engagement == Self.csv("""
            period,property,pageviews,visitors,sessions,avg_engaged_seconds,bounce_rate,returning_visitor_rate
            2024-Q2,site,5,2,4,37.5,0.75,1
            2024-Q2,blog,4,3,3,53.3,0.6667,0
            """))
    }
}
