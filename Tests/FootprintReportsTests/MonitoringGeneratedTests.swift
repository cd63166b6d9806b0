import Foundation
import Testing
import FootprintConfig
import FootprintOutput
import FootprintPipeline
import FootprintReports
import FootprintTestSupport
import FootprintWarehouse

/// The section 5 reports on generated data, against numbers counted here independently
/// of the warehouse: visits and conversions per month and goal, group activity per month
/// and group, subscribers per month and list, outcome totals per month.
@Suite struct MonitoringGeneratedTests {
    /// Day `d` of 2024 (0 = 1 January) at `seconds` after midnight UTC.
    static func instant(_ day: Int, _ seconds: Int) -> Int { 1_704_067_200 + day * 86_400 + seconds }
    static func iso(_ t: Int) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
    static func month(_ t: Int) -> String { String(iso(t).prefix(7)) }

    @Test func reportsAgreeWithIndependentCounts() throws {
        var rng = SeededGenerator(seed: 17)
        let pages = ["https://acme.example/", "https://acme.example/pricing", "https://blog.acme.example/posts/a",
                     "https://blog.acme.example/posts/b", "https://acme.example/thanks"]
        var web = "event_id,timestamp,visitor_id,url\n"
        var visits: [String: Int] = [:]          // month → visits
        var conversions: [String: Int] = [:]     // month → visits that reached /thanks
        var event = 0
        for visitor in 0..<300 {
            // Each visitor's visits start on distinct days: never within the timeout.
            let days = Array(Set((0..<Int.random(in: 1...4, using: &rng)).map { _ in Int.random(in: 0..<180, using: &rng) })).sorted()
            for day in days {
                var t = Self.instant(day, Int.random(in: 0..<70_000, using: &rng))  // ends by 21:35
                visits[Self.month(t), default: 0] += 1
                var converted = false
                for _ in 0..<Int.random(in: 1...5, using: &rng) {
                    let page = pages.randomElement(using: &rng)!
                    if page.hasSuffix("/thanks") { converted = true }
                    event += 1
                    web += "e\(event),\(Self.iso(t)),v\(visitor),\(page)\n"
                    t += Int.random(in: 10...1_500, using: &rng)  // under 30 minutes apart
                }
                // Counted in the month the visit starts; visits end hours before the next day's.
                if converted { conversions[Self.month(Self.instant(day, 0)), default: 0] += 1 }
            }
        }
        var groups = "activity_id,timestamp,platform,group,actor_id,action,parent_id,text\n"
        var activity: [String: [String: (all: Int, posts: Int, comments: Int)]] = [:]  // month → group → counts
        var posts: [(id: String, group: String)] = []
        var authorOf: [String: String] = [:]                                    // activity → actor
        var written: [(month: String, actor: String, parent: String?)] = []
        for n in 0..<600 {
            let t = Self.instant(Int.random(in: 0..<180, using: &rng), Int.random(in: 0..<86_000, using: &rng))
            let group = ["Ops", "Cloud", "Data"].randomElement(using: &rng)!
            let comment = !posts.isEmpty && Bool.random(using: &rng)
            let parent = comment ? posts.filter { $0.group == group }.randomElement(using: &rng)?.id : nil
            let action = parent == nil ? "post" : "comment"
            let actor = "m\(Int.random(in: 0..<80, using: &rng))"
            groups += "g\(n),\(Self.iso(t)),linkedin,\(group),\(actor),\(action),\(parent ?? ""),hello\n"
            if action == "post" { posts.append(("g\(n)", group)) }
            authorOf["g\(n)"] = actor
            written.append((Self.month(t), actor, parent))
            var counts = activity[Self.month(t), default: [:]][group, default: (0, 0, 0)]
            counts.all += 1
            if action == "post" { counts.posts += 1 } else { counts.comments += 1 }
            activity[Self.month(t), default: [:]][group] = counts
        }
        var subscribers = "subscriber_id,subscribed_at,unsubscribed_at,list\n"
        var subscribedPeople: [String: Set<Int>] = [:]  // "month list" → who was subscribed at some time in it
        let months = (1...6).map { "2024-0\($0)" }
        for n in 0..<200 {
            let list = Bool.random(using: &rng) ? "rss" : "newsletter"
            // One in four subscribes again to the same list, after a gap or while still
            // subscribed: counted once a month all the same.
            for _ in 0..<(n % 4 == 0 ? 2 : 1) {
                let from = Int.random(in: 0..<170, using: &rng)
                let until = Bool.random(using: &rng) ? Int.random(in: from..<180, using: &rng) : nil
                subscribers += "S\(n)@Example.com,\(Self.iso(Self.instant(from, 3600))),\(until.map { Self.iso(Self.instant($0, 7200)) } ?? ""),\(list)\n"
                for month in months where Self.month(Self.instant(from, 3600)) <= month && (until.map { Self.month(Self.instant($0, 7200)) >= month } ?? true) {
                    subscribedPeople["\(month) \(list)", default: []].insert(n)
                }
            }
        }
        let subscribed = subscribedPeople.mapValues(\.count)
        var outcomes = "date,metric,value\n"
        var sales: [String: Int] = [:]
        for day in 0..<180 where day % 3 == 0 {
            let value = Int.random(in: 1...500, using: &rng)
            outcomes += "\(Self.iso(Self.instant(day, 0)).prefix(10)),sales,\(value)\n"
            sales[Self.month(Self.instant(day, 0)), default: 0] += value
        }

        let folder = NSTemporaryDirectory() + "footprint-monitoring-gen-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, text) in ["web.csv": web, "groups.csv": groups, "subscribers.csv": subscribers, "outcomes.csv": outcomes] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/inbox/" + name))
        }
        let config = try ConfigLoader.parse("""
            influencers_top = 5
            [properties]
            "acme.example" = "site"
            "blog.acme.example" = "blog"
            [[goals]]
            name = "thanks"
            pages = ["https://acme.example/thanks"]
            [privacy]
            show_actor_handles = true
            """)
        let warehouse = try Warehouse(path: folder + "/db.sqlite")
        let summary = try Ingest(warehouse: warehouse, config: config).run(files: try InputFiles.expand([folder + "/inbox"]))
        #expect(summary.rowsRejected == 0)
        var scope = ReportScope().configured(by: config)
        scope.vipMinComments = 2
        func rows(_ name: String) throws -> [[String: String]] {
            let table = try Reports.compute(name, from: warehouse, scope: scope)
            return table.rows.map { row in
                Dictionary(uniqueKeysWithValues: zip(table.columns, row.map { cell -> String in
                    if case .text(let text) = cell { return text }
                    return CSVEncoder.field(cell)
                }))
            }
        }
        try warehouse.refreshDerivedFacts(config: config)
        let goals = try rows("goals.csv").filter { $0["breakdown"] == "all" }
        #expect(Dictionary(uniqueKeysWithValues: goals.map { ($0["period"]!, Int($0["sessions"]!)!) }) == visits)
        #expect(Dictionary(uniqueKeysWithValues: goals.map { ($0["period"]!, Int($0["conversions"]!)!) }).filter { $0.value > 0 }
                == conversions.filter { $0.value > 0 })
        let groupRows = try rows("groups.csv")
        #expect(groupRows.count == activity.values.map(\.count).reduce(0, +))
        for row in groupRows {
            let expected = activity[row["period"]!]?[row["group"]!]
            #expect(Int(row["activities"]!) == expected?.all && Int(row["posts"]!) == expected?.posts
                    && Int(row["comments"]!) == expected?.comments, "\(row)")
        }
        let vipRows = try rows("vips.csv")
        #expect(Dictionary(uniqueKeysWithValues: vipRows.map { ("\($0["period"]!) \($0["list"]!)", Int($0["subscribers"]!)!) })
                == subscribed.filter { $0.value > 0 })
        // Influencers: per month, every author ranked by the responses to them (answers
        // written that month), then by distinct other responders, then by name; the
        // first five, ties at the cut decided by name.
        var expectedTop: [String: [String]] = [:]
        for month in Set(written.map(\.month)) {
            let ofMonth = written.filter { $0.month == month }
            let scored = Set(ofMonth.map(\.actor)).map { actor -> (actor: String, responses: Int, responders: Int) in
                let answers = ofMonth.filter { $0.parent.flatMap { authorOf[$0] } == actor }
                return (actor, answers.count, Set(answers.map(\.actor).filter { $0 != actor }).count)
            }.sorted { ($1.responses, $1.responders, $0.actor) < ($0.responses, $0.responders, $1.actor) }
            expectedTop[month] = scored.prefix(5).enumerated().map { "\($0.element.actor) \($0.element.responses) \($0.element.responders) \($0.offset + 1)" }
        }
        var influencers: [String: [String]] = [:]
        for row in try rows("influencers.csv") {
            influencers[row["period"]!, default: []].append("\(row["actor"]!) \(row["responses_received"]!) \(row["responders"]!) \(row["rank"]!)")
        }
        #expect(influencers == expectedTop)
        let impact = try rows("impact.csv")
        #expect(Dictionary(uniqueKeysWithValues: impact.map { ($0["period"]!, Int($0["value"]!)!) }) == sales)
    }

    /// Responses to our shares inside threads someone else started, walked down reply by
    /// reply (the report takes a thread we started whole, by its root), and a reply
    /// cycle, whose activities have no known root.
    @Test func responsesBelowOurSharesInOthersThreads() throws {
        let groups = """
            activity_id,timestamp,platform,group,actor_id,action,parent_id,text,count
            p1,2024-05-01T10:00:00Z,linkedin,Ops,xavier,post,,Who has tips?,
            c1,2024-05-01T10:05:00Z,linkedin,Ops,acmehq,comment,p1,Our guide helps,
            c2,2024-05-01T10:10:00Z,linkedin,Ops,yana,comment,c1,Thanks,
            c3,2024-05-01T10:15:00Z,linkedin,Ops,zoe,comment,c2,Same here,
            l1,2024-05-01T10:20:00Z,linkedin,Ops,walt,like,c3,,3
            c4,2024-05-01T10:25:00Z,linkedin,Ops,yana,comment,p1,Unrelated,
            a1,2024-05-02T10:00:00Z,linkedin,Ops,acmehq,comment,a2,One,
            a2,2024-05-02T10:05:00Z,linkedin,Ops,yana,comment,a1,Two,

            """
        let folder = NSTemporaryDirectory() + "footprint-below-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(groups.utf8).write(to: URL(fileURLWithPath: folder + "/groups.csv"))
        let config = try ConfigLoader.parse("""
            [[brands]]
            name = "Acme"
            self = true
            aliases = ["Acme"]
            domains = ["acme.example"]
            accounts = ["acmehq"]
            """)
        let warehouse = try Warehouse(path: folder + "/db.sqlite")
        _ = try Ingest(warehouse: warehouse, config: config).run(files: try InputFiles.expand([folder + "/groups.csv"]))
        try warehouse.refreshDerivedFacts(config: config)
        let table = try Reports.compute("groups.csv", from: warehouse, scope: ReportScope().configured(by: config))
        // Ours: c1 and a1. Below c1: c2, c3 and l1 (count 3) = 5; the cycle a1 ↔ a2,
        // walked from a1: a2 and a1 itself = 2. p1 and c4 are beside, not below.
        #expect(CSVEncoder.encode(table, byteOrderMark: false) == """
            period,platform,group,activities,active_members,posts,comments,shares,reactions,views,our_shares,responses_to_our_shares,self_mentions\r
            2024-05,linkedin,Ops,8,5,1,6,0,3,0,2,7,0\r

            """)
    }
}
