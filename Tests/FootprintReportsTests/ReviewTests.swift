import Foundation
import Testing
import FootprintConfig
import FootprintPipeline
import FootprintWarehouse
import FootprintOutput

@Suite struct ReviewTests {
    static func review(_ quarter: String, config configText: String = HandComputedFixture.config,
                       extraGroups: String = "") throws -> String {
        let folder = NSTemporaryDirectory() + "footprint-review-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, text) in ["web.csv": HandComputedFixture.web, "clicks.csv": HandComputedFixture.clicks,
                             "groups.jsonl": HandComputedFixture.groups + extraGroups] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/inbox/" + name))
        }
        let config = try ConfigLoader.parse(configText)
        let warehouse = try Warehouse(path: folder + "/db.sqlite")
        _ = try Ingest(warehouse: warehouse, config: config).run(files: try InputFiles.expand([folder + "/inbox"]))
        return try QuarterlyReview(warehouse: warehouse, config: config).render(QuarterlyReview.Quarter(quarter)!)
    }

    @Test func isSelfContained() throws {
        let html = try Self.review("2024-Q2")
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        #expect(html.contains("<style>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 3) // audience, attention, perception
    }

    @Test func figuresMatchTheReports() throws {
        let html = try Self.review("2024-Q2")
        #expect(html.contains("Acme — perception review 2024-Q2"))
        #expect(html.contains("Compared with 2024-Q1 (previous quarter) and 2023-Q2"))
        // Audience for the quarter: site DE 3 of 5 page views, blog DE 1 of 4; index 0.25/0.6.
        #expect(html.contains("<tr><td>DE</td><td>Germany</td><td class=\"n\">0.6</td><td class=\"n\">0.25</td><td class=\"n\">0.4167</td></tr>"))
        #expect(html.contains("<tr><td>IN</td><td>India</td><td class=\"n\"></td><td class=\"n\">0.5</td><td class=\"n\"></td></tr>"))
        // Share of attention, channel all: Acme 2/3 in April and 1/2 in May (see attention.csv).
        #expect(html.contains("<title>Acme · 2024-04: 0.67</title>"))
        #expect(html.contains("<title>Acme · 2024-05: 0.5</title>"))
        #expect(!html.contains("Acme · 2024-06"))
        // The launch post travelled furthest; its path as in propagation.csv.
        #expect(html.contains("<td class=\"url\">https://blog.acme.example/posts/launch</td><td class=\"path\">clicks&gt;&#8203;web&gt;&#8203;social&gt;&#8203;groups&gt;&#8203;news</td>"))
        // Engagement for the quarter (see the quarter golden test): site bounce rate 0.75, no earlier data.
        #expect(html.contains("<tr><td>site</td><td>bounce rate</td><td class=\"n\">0.75</td><td class=\"n\"><span class=\"flat\">no data</span></td>"))
    }

    /// A Unicode Prepend character (U+0600) fuses with the `<` after it into one grapheme
    /// cluster; an escaper that compares Characters let that `<` through and the review
    /// ran the member's `onerror` in Chromium. The payload arrives through a group post's
    /// URL (shown under "Content that travelled furthest") and through config names.
    @Test func prependCharacterDoesNotSmuggleMarkup() throws {
        let payload = "\u{0600}<img src=x onerror=alert(1)>"
        let post = #"{"activity_id":"x1","timestamp":"2024-05-05T10:00:00Z","platform":"linkedin","group":"G","actor_id":"m9","action":"post","url":"https://blog.acme.example/posts/x\#(payload)"}"# + "\n"
        let config = HandComputedFixture.config
            .replacingOccurrences(of: #"name = "Globex""#, with: #"name = "Globex\#(payload)""#)
            .replacingOccurrences(of: #""hardware"]"#, with: #""hardware\#(payload)"]"#)
        let html = try Self.review("2024-Q2", config: config, extraGroups: post)
        #expect(!html.contains("<img"))
        #expect(html.contains("posts/x\u{0600}&lt;img src=x onerror=alert(1)&gt;</td>"))
        #expect(html.contains("Globex\u{0600}&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("hardware\u{0600}&lt;img src=x onerror=alert(1)&gt;"))
    }

    @Test func escapesEveryMarkupByteWhateverPrecedesIt() {
        #expect(escape("a\u{0600}<b>\u{0600}\"\u{0600}'\u{0600}&") == "a\u{0600}&lt;b&gt;\u{0600}&quot;\u{0600}&#39;\u{0600}&amp;")
        #expect(escape("e\u{0301}<x>") == "e\u{0301}&lt;x&gt;")          // a combining mark after a letter, before `<`
        #expect(escape("\u{1F1E9}\u{1F1EA}<") == "\u{1F1E9}\u{1F1EA}&lt;")   // a flag
        #expect(escape("a\u{0}b\u{1B}[31m\tc\n") == "a\u{FFFD}b\u{FFFD}[31m\tc\n")
    }

    @Test func quarterArithmetic() {
        let q1 = QuarterlyReview.Quarter("2024-q1")!
        #expect(q1.previous.description == "2023-Q4")
        #expect(q1.yearAgo.description == "2023-Q1")
        #expect(QuarterlyReview.Quarter("2024-Q5") == nil)
        #expect(QuarterlyReview.Quarter("Q2-2024") == nil)
    }
}
