import Foundation
import Testing
import FootprintConfig
import FootprintNormalize
import FootprintTestSupport
import FootprintOutput
import FootprintPipeline
@testable import FootprintReports
import FootprintWarehouse
import GRDB

/// Reports written from the report cache (only stale periods recomputed) are byte for
/// byte a full recomputation's: after each of many small nightly loads of the bundled
/// sample data, a late row for an old month, a subscription's end learnt late, a reload,
/// a forget and a time zone change.
@Suite struct IncrementalReportsTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../sample-data").standardized.path

    /// The sample's lines of every kind, by the fortnight (since 2023-04-01) of their timestamp.
    static func nights() throws -> [Int: [String: [String]]] {
        var nights: [Int: [String: [String]]] = [:]
        let start = Self.day("2023-04-01")
        for file in ["web.csv", "clicks.csv", "groups.jsonl", "groups-acme.jsonl", "subscribers.csv", "outcomes.csv"] {
            let text = try systemGunzip(path: sample + "/" + file + ".gz")
            // CRLF is one Character: split on every kind of line end.
            var lines = text.split(whereSeparator: \.isNewline).map(String.init)
            let header = file.hasSuffix(".csv") ? lines.removeFirst() : nil
            for line in lines {
                let pattern = file.hasSuffix(".jsonl") ? #""timestamp": "(\d{4}-\d{2}-\d{2})"# : #"(\d{4}-\d{2}-\d{2})"#
                guard let match = line.range(of: pattern, options: .regularExpression) else { continue }
                let day = String(line[match].suffix(10))
                let night = (Self.day(day) - start) / 14
                var chunk = nights[night, default: [:]][file, default: header.map { [$0] } ?? []]
                chunk.append(line)
                nights[night, default: [:]][file] = chunk
            }
        }
        return nights
    }

    /// Writes the reports through the cache and checks them against a full computation.
    /// Days since 1970-01-01 of a yyyy-mm-dd text.
    static func day(_ text: String) -> Int {
        CivilDate(key: Int(text.replacingOccurrences(of: "-", with: ""))!)!.daysSinceEpoch
    }

    static func expectSameAsFull(_ warehouse: Warehouse, _ config: FootprintConfig, _ folder: String,
                                 _ step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let out = folder + "/out"
        try ReportWriter(warehouse: warehouse, config: config).write(to: out, scope: ReportScope(), byteOrderMark: false)
        let full = try Reports.compute(from: warehouse, scope: ReportScope().configured(by: config))
        for table in full {
            let written = try String(contentsOfFile: out + "/" + table.name + ".csv", encoding: .utf8)
            #expect(written == CSVEncoder.encode(table), "\(step): \(table.name).csv", sourceLocation: sourceLocation)
        }
    }

    static func expectCascadesAsIfRecomputed(_ warehouse: Warehouse, _ config: FootprintConfig,
                                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let query = "SELECT activity_key, parent_activity_key, parent_person_key, thread_root_key, depth FROM fact_group_activity ORDER BY activity_key"
        let before = try warehouse.read { try Row.fetchAll($0, sql: query) }
        try warehouse.write { try $0.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('cascades_stale', 'all')") }
        try warehouse.refreshDerivedFacts(config: config)
        let after = try warehouse.read { try Row.fetchAll($0, sql: query) }
        #expect(before.count > 1000 && before == after, sourceLocation: sourceLocation)
    }

    @Test func cachedReportsEqualAFullComputation() throws {
        let folder = NSTemporaryDirectory() + "footprint-incremental-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = DefaultConfig.load()
        let warehouse = try Warehouse(path: folder + "/db.sqlite")
        func ingest(_ files: [String: [String]], tag: String, reload: Bool = false) throws {
            var paths: [String] = []
            for (name, lines) in files {
                let path = folder + "/inbox/" + name.replacingOccurrences(of: ".", with: "-\(tag).")
                try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
                paths.append(path)
            }
            var ingest = Ingest(warehouse: warehouse, config: config)
            ingest.reload = reload
            let summary = try ingest.run(files: paths.sorted())
            #expect(summary.filesFailed == 0, "\(tag)")
        }

        // Many small nightly loads, each followed by the reports.
        let nights = try Self.nights()
        #expect(nights.values.filter { $0["web.csv"] != nil && $0["subscribers.csv"] != nil }.count > 5 && nights.values.filter { $0["web.csv"] != nil }.count > 25)
        for night in nights.keys.sorted() {
            try ingest(nights[night]!, tag: "n\(night)")
            try Self.expectSameAsFull(warehouse, config, folder, "night \(night)")
        }

        // Threads were walked from their new activities only, night after night: the
        // same roots and depths as a walk of every thread.
        try Self.expectCascadesAsIfRecomputed(warehouse, config)

        // Late rows for old months, each on its own night so that none hides another:
        // a page view; a reply months later, carrying a link to a cloud post, deep in a
        // December thread (the whole thread, December's activity too, is now about
        // cloud); an answer from the brand's account to an old comment (vips count
        // answers for the comment's month); a subscription's end learnt from a later export.
        try ingest(["web.csv": ["event_id,timestamp,visitor_id,url,referrer,country",
                                "late1,2023-06-14T10:00:00Z,v000677,https://blog.acme.example/posts/edge-computing,https://news.ycombinator.com/,DE"]],
                   tag: "late1")
        try Self.expectSameAsFull(warehouse, config, folder, "late page view")
        try ingest(["groups.jsonl": [#"{"activity_id": "late2", "timestamp": "2024-05-02T09:00:00Z", "platform": "linkedin", "group": "CIO Circle", "actor_id": "m00002", "action": "comment", "parent_id": "a0000002", "text": "See this", "url": "https://blog.acme.example/posts/cloud-migration"}"#]],
                   tag: "late2")
        try Self.expectSameAsFull(warehouse, config, folder, "late reply in an old thread")
        try ingest(["groups-acme.jsonl": [#"{"activity_id": "late3", "timestamp": "2024-05-03T09:00:00Z", "platform": "linkedin", "group": "CIO Circle", "actor_id": "acmehq", "action": "comment", "parent_id": "a0000003", "text": "Sorry to hear that."}"#]],
                   tag: "late3")
        try Self.expectSameAsFull(warehouse, config, folder, "late answer")
        try ingest(["subscribers.csv": ["subscriber_id,subscribed_at,unsubscribed_at,list", "m00000,2024-04-09T18:09:02Z,2024-05-02T00:00:00Z,rss"]],
                   tag: "late4")
        try Self.expectSameAsFull(warehouse, config, folder, "late unsubscription")

        // A reload of one night's files.
        let reloaded = nights.keys.sorted()[nights.count / 2]
        try ingest(nights[reloaded]!, tag: "n\(reloaded)", reload: true)
        try Self.expectSameAsFull(warehouse, config, folder, "reload")

        // A visit begun just before midnight on the last day of August, its goal page
        // loaded later: the August visit converts (a page view can change the day before).
        try ingest(["web.csv": ["event_id,timestamp,visitor_id,url,referrer,country",
                                "mid1,2023-08-31T23:50:00Z,vlate,https://www.acme.example/products,https://www.google.com/,DE"]], tag: "mid1")
        try Self.expectSameAsFull(warehouse, config, folder, "visit before midnight")
        try ingest(["web.csv": ["event_id,timestamp,visitor_id,url,referrer,country",
                                "mid2,2023-09-01T00:05:00Z,vlate,https://www.acme.example/contact,,DE"]], tag: "mid2")
        try Self.expectSameAsFull(warehouse, config, folder, "goal page after midnight")

        // A reply with a clock ahead of its post's: the reply (September) arrives first,
        // the brand's post it answers (October) later. Linking them rewrites the
        // September reply (now a response to one of our shares), which no new row dates.
        try ingest(["groups.jsonl": [#"{"activity_id": "skew1", "timestamp": "2023-09-29T10:00:00Z", "platform": "linkedin", "group": "CIO Circle", "actor_id": "m00005", "action": "comment", "parent_id": "skewpost", "text": "Interesting."}"#]],
                   tag: "skew1")
        try Self.expectSameAsFull(warehouse, config, folder, "orphan reply")
        try ingest(["groups-acme.jsonl": [#"{"activity_id": "skewpost", "timestamp": "2023-10-02T10:00:00Z", "platform": "linkedin", "group": "CIO Circle", "actor_id": "acmehq", "action": "post", "text": "Our new guide", "url": "https://blog.acme.example/posts/zero-trust"}"#]],
                   tag: "skew2")
        try Self.expectSameAsFull(warehouse, config, folder, "its post, later")

        try Self.expectCascadesAsIfRecomputed(warehouse, config)

        // Forget a visitor, then a group member (nothing new is loaded: what changes is
        // what went).
        _ = try warehouse.forget(rawID: "v000044", role: .visitor, config: config)
        try Self.expectSameAsFull(warehouse, config, folder, "forget a visitor")
        _ = try warehouse.forget(rawID: "m00461", role: .actor, config: config)
        try Self.expectSameAsFull(warehouse, config, folder, "forget a member")

        // Another time zone: every day, and so every period, is cut anew.
        config = try ConfigLoader.parse(DefaultConfig.toml.replacingOccurrences(of: "timezone = \"UTC\"", with: "timezone = \"America/New_York\""))
        try Self.expectSameAsFull(warehouse, config, folder, "time zone")

        // Nothing new: every periodic report comes from the cache.
        try Self.expectSameAsFull(warehouse, config, folder, "nothing new")
    }
}

extension IncrementalReportsTests {
    /// Cached rows are found again only if the same settings give the same digest in
    /// every process: a dictionary's order is not the same from one run to the next.
    @Test func theSettingsDigestIgnoresDictionaryOrderButNotContent() throws {
        var a: [String: String] = [:], b: [String: String] = [:]
        b.reserveCapacity(512)
        for i in 0..<60 { a["host\(i).example"] = "site\(i % 3)" }
        for i in (0..<60).reversed() { b["host\(i).example"] = "site\(i % 3)" }
        #expect(Array(a.keys) != Array(b.keys))  // the two iterate in different orders
        var first = DefaultConfig.load(), second = DefaultConfig.load()
        first.properties = a
        second.properties = b
        #expect(IncrementalReports.digest(config: first, scope: ReportScope()) == IncrementalReports.digest(config: second, scope: ReportScope()))
        #expect(IncrementalReports.digest(config: first, scope: ReportScope()) != IncrementalReports.digest(config: first, scope: ReportScope(period: .quarter)))
        second.properties["host7.example"] = "blog"
        #expect(IncrementalReports.digest(config: first, scope: ReportScope()) != IncrementalReports.digest(config: second, scope: ReportScope()))
    }
}
