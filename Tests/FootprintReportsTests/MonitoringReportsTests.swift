import Foundation
import Testing
import FootprintConfig
import FootprintNormalize
import FootprintOutput
import FootprintPipeline
import FootprintReports
import FootprintWarehouse

/// The reports of CONTRACT.md section 5 on MonitoringFixture; every number worked out by
/// hand (the reasoning beside each). Months in UTC; the session timeout is 30 minutes.
@Suite struct MonitoringReportsTests {
    struct Loaded {
        let folder: String
        let warehouse: Warehouse
        let config: FootprintConfig
        let summary: IngestSummary
    }

    static func load(showHandles: Bool = false) throws -> Loaded {
        let folder = NSTemporaryDirectory() + "footprint-monitoring-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        var paths: [String] = []
        for (name, text) in MonitoringFixture.files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/inbox/" + name))
            paths.append(folder + "/inbox/" + name)
        }
        let config = try ConfigLoader.parse(MonitoringFixture.config(showHandles: showHandles))
        let warehouse = try Warehouse(path: folder + "/db.sqlite")
        let summary = try Ingest(warehouse: warehouse, config: config).run(files: paths)
        return Loaded(folder: folder, warehouse: warehouse, config: config, summary: summary)
    }

    static func reports(_ loaded: Loaded) throws -> [String: String] {
        let out = loaded.folder + "/out-" + UUID().uuidString
        try ReportWriter(warehouse: loaded.warehouse, config: loaded.config).write(to: out, scope: ReportScope(), byteOrderMark: false)
        var texts: [String: String] = [:]
        for name in Reports.fileNames { texts[name] = try String(contentsOfFile: out + "/" + name, encoding: .utf8) }
        return texts
    }

    static let shared: (Loaded, [String: String]) = {
        let loaded = try! load()
        return (loaded, try! reports(loaded))
    }()

    static func csv(_ text: String) -> String { ReportsGoldenTests.csv(text) }

    /// The database file and its WAL as text, to search for what must not be stored.
    static func databaseBytes(_ folder: String) throws -> String {
        try ["/db.sqlite", "/db.sqlite-wal"].map { name in
            FileManager.default.fileExists(atPath: folder + name) ? try String(contentsOfFile: folder + name, encoding: .isoLatin1) : ""
        }.joined()
    }

    /// How reports name an actor without show_actor_handles: `~` and 10 hex digits of
    /// the keyed hash of the id (an e-mail address normalised first).
    static func pseudonym(_ id: String) -> String {
        "~" + PersonHasher(key: [UInt8](hexDigits: MonitoringFixture.hashKey)).person(id).hash.prefix(10)
    }

    @Test func everyRowIsAccountedFor() throws {
        let (loaded, _) = Self.shared
        let byFile = Dictionary(uniqueKeysWithValues: loaded.summary.files.map { (($0.path as NSString).lastPathComponent, $0.result!) })
        // Bob's row of the later export is the same subscription (his address in another
        // case): a duplicate. Alice's fills in when she left: loaded (an update).
        #expect(byFile["subscribers-2.csv"]?.loaded == 1)
        #expect(byFile["subscribers-2.csv"]?.duplicate == 1)
        #expect(byFile["subscribers-1.csv"]?.loaded == 4)
        // Two identical outcome rows are two results.
        #expect(byFile["outcomes.csv"]?.loaded == 6)
        #expect(loaded.summary.rowsRejected == 0)
        // Nothing of an address is stored in clear: not in the file, not in its WAL. The
        // group's name is, so the bytes read are the data's.
        let dump = try Self.databaseBytes(loaded.folder)
        #expect(dump.contains("Ops Leaders"))
        #expect(!dump.lowercased().contains("example.org"))
        // The same outcomes under another name change nothing.
        try Data(MonitoringFixture.outcomes.utf8).write(to: URL(fileURLWithPath: loaded.folder + "/outcomes-copy.csv"))
        let again = try Ingest(warehouse: loaded.warehouse, config: loaded.config).run(files: [loaded.folder + "/outcomes-copy.csv"])
        #expect(again.files[0].status == .skipped)
    }

    @Test func outcomesOfAnOverlappingExportAreLoadedOnce() throws {
        let loaded = try Self.load()
        // The first three rows again and one more: the two identical rows of 15 May
        // are the same two results, the 2 June row is new.
        try Data("""
            date,metric,value
            2024-05-15,sales,400
            2024-05-15,sales,400
            2024-05-01,sales,400
            2024-06-02,sales,50

            """.utf8).write(to: URL(fileURLWithPath: loaded.folder + "/outcomes-late.csv"))
        let late = try Ingest(warehouse: loaded.warehouse, config: loaded.config).run(files: [loaded.folder + "/outcomes-late.csv"])
        #expect(late.files[0].result?.loaded == 1)
        #expect(late.files[0].result?.duplicate == 3)
        #expect(try Self.reports(loaded)["impact.csv"]?.contains("2024-06,sales,650,") == true)
    }

    @Test func goals() throws {
        // May has five visits: v1 10:00–10:07 crosses from the blog (Google) to the site
        // and converts for the newsletter on its third page (www., trailing slash and
        // ?ref= on the goal page); v2 (t.co) books a demo; v3 (t.co) lands on
        // /subscribe/confirm?id=7 (newsletter, by the star); v1 on 3 May views a post
        // (direct), then the thanks page 50 minutes later: a second, direct visit that
        // converts and lands on the thanks page. June: v4 from a news site, no goal.
        // Referrer and landing rows appear only where a goal converted.
        #expect(Self.shared.1["goals.csv"] == Self.csv("""
            period,goal,breakdown,value,sessions,conversions,conversion_rate
            2024-05,demo,all,all,5,1,0.2
            2024-05,demo,category,social,2,1,0.5
            2024-05,demo,category,direct,2,0,0
            2024-05,demo,category,search,1,0,0
            2024-05,demo,referrer,t.co,2,1,0.5
            2024-05,demo,landing,https://acme.example,1,1,1
            2024-05,newsletter,all,all,5,3,0.6
            2024-05,newsletter,category,direct,2,1,0.5
            2024-05,newsletter,category,social,2,1,0.5
            2024-05,newsletter,category,search,1,1,1
            2024-05,newsletter,referrer,(direct),2,1,0.5
            2024-05,newsletter,referrer,t.co,2,1,0.5
            2024-05,newsletter,referrer,google.com,1,1,1
            2024-05,newsletter,landing,https://acme.example/newsletter/thanks,1,1,1
            2024-05,newsletter,landing,https://blog.acme.example/posts/supply-chain-101,1,1,1
            2024-05,newsletter,landing,https://blog.acme.example/subscribe/confirm?id=7,1,1,1
            2024-06,demo,all,all,1,0,0
            2024-06,demo,category,news,1,0,0
            2024-06,newsletter,all,all,1,0,0
            2024-06,newsletter,category,news,1,0,0
            """))
    }

    @Test func topics() throws {
        // May, 4 clicks in all. Supply chain: its post was viewed once (v1), clicked
        // twice (0.5) and shared in p1, whose thread has 7 activities in May (p1, c1, c2,
        // r1, c3, l1, s1; the view row is no thread of it). Mentions: p1's title and c1's
        // "Logistics"; c2's "logisticsware" is no whole word. 7 activities of May have a
        // title or text: 2/7. Security: the zero-trust post, viewed, clicked once (0.25),
        // shared in p2 (2 activities), mentioned in p2 and c4. June: no clicks (an empty
        // share), p3 mentions supply chain: 1 of 2 written activities.
        #expect(Self.shared.1["topics.csv"] == Self.csv("""
            period,topic,items,views,visitors,clicks,click_share,group_activities,mentions,mention_share
            2024-05,security,1,1,1,1,0.25,2,2,0.2857
            2024-05,supply chain,1,1,1,2,0.5,7,2,0.2857
            2024-06,security,0,0,0,0,,0,0,0
            2024-06,supply chain,1,1,1,0,,0,1,0.5
            """))
    }

    @Test func groups() throws {
        // Ops Leaders, May: 8 rows; active members are the 6 actors who did more than view
        // (Bob's two spellings are one person); reactions add l1's count 7, views the 250.
        // Ours: p1 (its bit.ly link resolves to the blog) and acmehq's r1. Below them:
        // c1, c2, r1, c3, s1 and l1 (7): 12. Acme is mentioned in p1 and c3.
        // IT Pros: Jane (an Acme account) posts our zero-trust post; Carol answers.
        #expect(Self.shared.1["groups.csv"] == Self.csv("""
            period,platform,group,activities,active_members,posts,comments,shares,reactions,views,our_shares,responses_to_our_shares,self_mentions
            2024-05,linkedin,Ops Leaders,8,6,1,4,1,7,250,2,12,2
            2024-05,facebook,IT Pros,2,2,1,1,0,0,0,1,1,0
            2024-06,linkedin,Ops Leaders,2,2,1,1,0,0,0,0,0,1
            """))
    }

    @Test func influencers() throws {
        // Brand accounts (acmehq, Jane) are left out; Dave only liked and is no author.
        // Alice's p1 got c1, c2, s1 and l1 (count 7): 10 responses from 4 others, 1 reshare.
        // Bob's c1 got acmehq's reply. Carol and Erin tie at 0 and are ranked by name.
        let alice = Self.pseudonym("alice@example.org"), bob = Self.pseudonym("BOB@example.org")
        let carol = Self.pseudonym("carol"), erin = Self.pseudonym("erin")
        let carolRow = "0,1,0,0,0,0,1,Ops Leaders,FR", erinRow = "0,0,0,0,0,0,0,Ops Leaders,GB"
        let tied = carol < erin ? [(carol, carolRow), (erin, erinRow)] : [(erin, erinRow), (carol, carolRow)]
        #expect(Self.shared.1["influencers.csv"] == Self.csv("""
            period,platform,actor,posts,comments,responses_received,responders,reshares,self_mentions,competitor_mentions,top_group,country,rank
            2024-05,facebook,\(carol),0,1,0,0,0,0,0,IT Pros,FR,1
            2024-05,linkedin,\(alice),1,0,10,4,1,1,0,Ops Leaders,DE,1
            2024-05,linkedin,\(bob),0,2,1,1,0,1,0,Ops Leaders,US,2
            2024-05,linkedin,\(tied[0].0),\(tied[0].1),3
            2024-05,linkedin,\(tied[1].0),\(tied[1].1),4
            2024-06,linkedin,\(bob),1,0,1,1,0,0,0,Ops Leaders,US,1
            2024-06,linkedin,\(alice),0,1,0,0,0,1,0,Ops Leaders,DE,2
            """))
    }

    @Test func vips() throws {
        // March: Frank (left on the 20th). April: Bob and Alice. May: Bob and Alice (she
        // left on the 10th: subscribed at some time in May) on the newsletter, Carol on
        // rss; commenters Bob (c1, c3), Carol (c2, c4) and acmehq. Bob and Carol have 2
        // comments each: VIPs; acmehq answered Bob's c1. June: Alice comments once but is
        // no longer subscribed; Bob and Carol lapse.
        #expect(Self.shared.1["vips.csv"] == Self.csv("""
            period,list,subscribers,commenters,vips,vip_comments,vip_comments_answered,new_vips,lapsed_vips
            2024-03,newsletter,1,0,0,0,0,0,0
            2024-04,newsletter,2,0,0,0,0,0,0
            2024-05,newsletter,2,3,1,2,1,1,0
            2024-05,rss,1,3,1,2,0,1,0
            2024-06,newsletter,1,1,0,0,0,0,1
            2024-06,rss,1,1,0,0,0,0,1
            """))
    }

    /// A list whose only subscriber holds two subscriptions to it (Bob on `weekly`, from
    /// April and from May) is in no day count of the subscriber summary, only among those
    /// counted distinct: Bob is still its subscriber and, in May, its VIP (his 2 comments,
    /// c1 answered by acmehq), lapsing in June as on the newsletter.
    @Test func aVIPHoldingTwoSubscriptionsToAListIsFound() throws {
        let loaded = try Self.load()
        let file = loaded.folder + "/inbox/subscribers-3.csv"
        try Data("""
            subscriber_id,subscribed_at,unsubscribed_at,list
            bob@example.org,2024-04-01T00:00:00Z,,weekly
            bob@example.org,2024-05-02T00:00:00Z,,weekly

            """.utf8).write(to: URL(fileURLWithPath: file))
        _ = try Ingest(warehouse: loaded.warehouse, config: loaded.config).run(files: [file])
        #expect(try Self.reports(loaded)["vips.csv"] == Self.csv("""
            period,list,subscribers,commenters,vips,vip_comments,vip_comments_answered,new_vips,lapsed_vips
            2024-03,newsletter,1,0,0,0,0,0,0
            2024-04,newsletter,2,0,0,0,0,0,0
            2024-04,weekly,1,0,0,0,0,0,0
            2024-05,newsletter,2,3,1,2,1,1,0
            2024-05,rss,1,3,1,2,0,1,0
            2024-05,weekly,1,3,1,2,1,1,0
            2024-06,newsletter,1,1,0,0,0,0,1
            2024-06,rss,1,1,0,0,0,0,1
            2024-06,weekly,1,1,0,0,0,0,1
            """))
    }

    /// A report from June on still compares June with May: the two VIPs of May lapse in
    /// June (they are counted from May's comments, before the range).
    @Test func vipsFromAMonthOnCompareWithTheMonthBefore() throws {
        let (loaded, _) = Self.shared
        var scope = ReportScope(firstDay: 20240601).configured(by: loaded.config)
        scope.period = .month
        let table = try Reports.compute("vips.csv", from: loaded.warehouse, scope: scope)
        #expect(CSVEncoder.encode(table) == Self.csv("""
            period,list,subscribers,commenters,vips,vip_comments,vip_comments_answered,new_vips,lapsed_vips
            2024-06,newsletter,1,1,0,0,0,0,1
            2024-06,rss,1,1,0,0,0,0,1
            """))
    }

    @Test func impact() throws {
        // Sales: April 1000; May 400 + 400 + 400 = 1200 (+20 %); June 600 (-50 %). Leads
        // only in May (no change). May: Acme in p1 and c3, Globex in c2: 2 of 3 mentions;
        // 8 page views and 4 clicks. June: Acme in c5, the only mention.
        #expect(Self.shared.1["impact.csv"] == Self.csv("""
            period,metric,value,value_change,self_mentions,self_share,views,clicks
            2024-04,sales,1000,,0,,0,0
            2024-05,leads,12,,2,0.6667,8,4
            2024-05,sales,1200,0.2,2,0.6667,8,4
            2024-06,sales,600,-0.5,1,1,1,0
            """))
    }

    @Test func handlesAreShownOnlyWhenAskedAndForgetRemovesThem() throws {
        let loaded = try Self.load(showHandles: true)
        let influencers = try Self.reports(loaded)["influencers.csv"]!
        // Addresses are normalised: Bob is bob@example.org however he wrote it.
        #expect(influencers.contains("2024-06,linkedin,bob@example.org,1,0,1,1,0,0,0,Ops Leaders,US,1\r\n"))
        #expect(influencers.contains("2024-05,linkedin,alice@example.org,1,0,10,4,1,1,0,Ops Leaders,DE,1\r\n"))
        // forget --actor takes Bob's activities, his subscription (same address) and handle.
        let result = try loaded.warehouse.forget(rawID: "BOB@example.org ", role: .actor, config: loaded.config)
        #expect(result.groupActivities == 3)
        #expect(result.subscriptions == 1)
        let after = try Self.reports(loaded)
        #expect(after["influencers.csv"]?.contains("bob@example.org") == false)
        // April: only Alice is left on the newsletter.
        #expect(after["vips.csv"]?.contains("2024-04,newsletter,1,0,0,0,0,0,0\r\n") == true)
        let dump = try Self.databaseBytes(loaded.folder)
        #expect(dump.contains("alice@example.org"))  // still shown: her handle is kept
        #expect(!dump.contains("bob@example.org"))
        // Turning handles off drops them from the database too.
        let hidden = try ConfigLoader.parse(MonitoringFixture.config(showHandles: false))
        let reports = try Self.reports(Loaded(folder: loaded.folder, warehouse: loaded.warehouse, config: hidden, summary: loaded.summary))
        #expect(reports["influencers.csv"]?.contains(Self.pseudonym("alice@example.org")) == true)
        #expect(!(try Self.databaseBytes(loaded.folder)).contains("alice@example.org"))
    }

    @Test func theReviewShowsWhatComesOfIt() throws {
        let (loaded, _) = Self.shared
        let html = try QuarterlyReview(warehouse: loaded.warehouse, config: loaded.config).render(QuarterlyReview.Quarter("2024-Q2")!)
        #expect(html.contains("What comes of it?"))
        // Conversions by category for the quarter (May and June together): newsletter
        // converted 1 of 2 direct visits; no 2024-Q1 visits to compare with.
        #expect(html.contains("<tr><td>newsletter</td><td>direct</td><td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">0.5</td><td class=\"n\"><span class=\"flat\">no data</span></td></tr>"))
        // News brought June's only visit: 0 of 1.
        #expect(html.contains("<tr><td>demo</td><td>news</td><td class=\"n\">1</td><td class=\"n\">0</td><td class=\"n\">0</td>"))
        // Topics by clicks: supply chain (2) before security (1).
        let supply = html.range(of: "<tr><td>supply chain</td><td class=\"n\">2</td>")
        let security = html.range(of: "<tr><td>security</td><td class=\"n\">1</td>")
        #expect(supply != nil && security != nil && supply!.lowerBound < security!.lowerBound)
        // VIPs over the quarter: Bob and Carol, new against Q1 (none then).
        #expect(html.contains("<tr><td>newsletter</td><td class=\"n\">2</td><td class=\"n\">4</td><td class=\"n\">1</td><td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">0</td></tr>"))
        // Sales against mentions: only May and June have both (April has no mention):
        // too few for a correlation, and the page says so.
        #expect(html.contains("Correlation of sales with mentions: not computed (2 months with both figures; at least 3 that vary are needed)."))
        #expect(html.contains("leads and Acme mentions by month"))
    }

    @Test func correlationIsPearsonsR() {
        func r(_ values: [Double?], _ mentions: [Double?]) -> Double? {
            ReviewPage.ImpactSeries(metric: "m", months: values.map { _ in "" }, values: values, mentions: mentions).correlation
        }
        #expect(r([1, 2, 3, 4], [2, 4, 6, 8]) == 1)
        #expect(r([1, 2, 3, 4], [8, 6, 4, 2]) == -1)
        // x = 1, 2, 3 and y = 1, 3, 2: covariance 1, variances 2 and 2 → 0.5. A month
        // missing either figure is left out.
        #expect(abs(r([1, 2, nil, 3], [1, 3, 5, 2])! - 0.5) < 1e-12)
        #expect(r([1, 2], [1, 2]) == nil)
        #expect(r([5, 5, 5], [1, 2, 3]) == nil)
    }

    @Test func changedGoalsAreWorkedOutAgainForEveryVisit() throws {
        let loaded = try Self.load()
        // The newsletter goal is now the pricing page: only v1's first May visit saw it.
        let changed = try ConfigLoader.parse(MonitoringFixture.config().replacingOccurrences(
            of: "pages = [\"https://acme.example/newsletter/thanks\", \"https://blog.acme.example/subscribe/*\"]",
            with: "pages = [\"https://acme.example/pricing\"]"))
        let goals = try Self.reports(Loaded(folder: loaded.folder, warehouse: loaded.warehouse, config: changed, summary: loaded.summary))["goals.csv"]!
        #expect(goals.contains("2024-05,newsletter,all,all,5,1,0.2\r\n"))
        #expect(goals.contains("2024-05,newsletter,landing,https://blog.acme.example/posts/supply-chain-101,1,1,1\r\n"))
        #expect(goals.contains("2024-05,demo,all,all,5,1,0.2\r\n"))
        // And back: the first definitions give the first answers again.
        let again = try Self.reports(loaded)["goals.csv"]
        #expect(again == Self.shared.1["goals.csv"])
    }

    @Test func aGoalPageThatMatchesNothingIsNamed() throws {
        var config = Self.shared.0.config
        config.goals.append(Goal(name: "webinar", pages: ["https://acme.example/webinar/thanks", "https://acme.example/demo/*"]))
        let warnings = try Self.shared.0.warehouse.unmatchedPages(config: config)
        #expect(warnings == ["goal 'webinar': page https://acme.example/webinar/thanks matches no page loaded so far"])
    }
}

extension Array where Element == UInt8 {
    init(hexDigits text: String) {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }
}
