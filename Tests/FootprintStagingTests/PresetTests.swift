import Foundation
import Testing
import FootprintConfig
import FootprintInput
import FootprintNormalize
import FootprintTestSupport
@testable import FootprintStaging

/// Each preset on a small fixture shaped like the real export (field names, nesting,
/// BigQuery's INT64-as-string, Pushshift's fullnames), with the canonical rows asserted.
@Suite struct PresetTests {
    func stage(_ preset: String, _ lines: [String]) throws -> [StagedRow] {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }
        let path = folder.file("export.json")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var config = DefaultConfig.load()
        config.inputs = [try #require(Presets.spec(named: preset))]
        let reader = try StagedFileReader(path: path, kindOverride: nil, config: config, zone: .utc, persons: testPersons())
        var rows: [StagedRow] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }

    @Test func ga4BigQueryExportKeepsPageViewsAndSkipsOtherEvents() throws {
        let rows = try stage("ga4", [
            #"{"event_date":"20240501","event_timestamp":"1714557600123456","event_name":"page_view","event_params":[{"key":"ga_session_id","value":{"int_value":"1714557000"}},{"key":"page_location","value":{"string_value":"https://www.acme.example/pricing?utm_source=newsletter"}},{"key":"page_referrer","value":{"string_value":"https://www.google.com/"}},{"key":"engagement_time_msec","value":{"int_value":"4500"}}],"user_pseudo_id":"1234567.89","geo":{"continent":"Europe","country":"Germany","region":"Bavaria","city":"Munich"},"device":{"category":"desktop","web_info":{"browser":"Chrome"}}}"#,
            #"{"event_date":"20240501","event_timestamp":"1714557599000000","event_name":"session_start","event_params":[{"key":"ga_session_id","value":{"int_value":"1714557000"}}],"user_pseudo_id":"1234567.89","geo":{"country":"Germany"}}"#,
        ])
        #expect(rows.count == 2)
        guard case .event(1, .web(let view)) = rows[0] else { Issue.record("row 1 should be a page view"); return }
        #expect(view.occurredAt == 1_714_557_600)
        #expect(view.visitor == testHasher.person("1234567.89"))
        #expect(view.sessionID == "1714557000")
        #expect(view.page.text == "https://acme.example/pricing")
        #expect(view.referrer?.host == "google.com")
        #expect(view.engagedSeconds == 4.5)
        #expect(view.place == Place(countryCode: "DE", region: "Bavaria", city: "Munich"))
        #expect(rows[1] == .skipped(line: 2, reason: "event_name is not 'page_view'", example: "session_start"))
    }

    @Test func hackerNewsItemsBecomeAThread() throws {
        let rows = try stage("hackernews", [
            #"{"by":"pg","descendants":2,"id":8863,"kids":[8952],"score":111,"time":1175714200,"title":"Acme launches a services arm","type":"story","url":"https://blog.acme.example/posts/launch"}"#,
            #"{"by":"norvig","id":8952,"kids":[9224],"parent":8863,"text":"Interesting move by <i>Acme</i>.","time":1175727286,"type":"comment"}"#,
        ])
        guard case .event(_, .group(let story)) = rows[0], case .event(_, .group(let comment)) = rows[1] else {
            Issue.record("both items should map"); return
        }
        #expect(story.identity == "hackernews\u{1F}8863")
        #expect(story.action == "story")
        #expect(story.group == "Hacker News")
        #expect(story.actor == testHasher.person("pg"))
        #expect(story.sharedURL?.text == "https://blog.acme.example/posts/launch")
        #expect(story.occurredAt == 1_175_714_200)
        #expect(comment.parentID == "8863")
        #expect(comment.action == "comment")
        #expect(comment.text == "Interesting move by <i>Acme</i>.")
    }

    @Test func redditFullnamesLinkCommentsToSubmissions() throws {
        let submission = try stage("reddit-submissions", [
            #"{"author":"op","created_utc":"1714550000","id":"1cxyz","num_comments":1,"selftext":"","subreddit":"devops","title":"Acme launches consulting","url":"https://blog.acme.example/posts/launch"}"#,
        ])
        let comments = try stage("reddit-comments", [
            #"{"author":"someone","body":"Acme's consulting is new to me","created_utc":1714557600,"id":"l1abcd","link_id":"t3_1cxyz","parent_id":"t3_1cxyz","score":3,"subreddit":"devops"}"#,
        ])
        guard case .event(_, .group(let post)) = submission[0], case .event(_, .group(let reply)) = comments[0] else {
            Issue.record("both should map"); return
        }
        #expect(post.activityID == "t3_1cxyz")
        #expect(post.action == "post")
        #expect(post.platform == "reddit")
        #expect(post.group == "devops")
        #expect(post.title == "Acme launches consulting")
        #expect(reply.activityID == "t1_l1abcd")
        #expect(reply.parentID == post.activityID)
        #expect(reply.action == "comment")
    }

    @Test func theWrongPresetIsOneClearErrorOnTheFirstRow() throws {
        do {
            _ = try stage("ga4", [#"{"by":"pg","id":8863,"time":1175714200,"type":"story"}"#])
            Issue.record("a Hacker News file read as GA4 should fail")
        } catch let error as MappingError {
            #expect(error.reason == "file looks like objects with keys by, id, time, type, but preset 'ga4' expects event_timestamp, user_pseudo_id, event_params[key=page_location].value.string_value; none of them is in the first row it keeps — is this the right preset?")
        }
    }

    /// A wrong format under a preset used to reject row by row (a Hacker News CSV under
    /// `hackernews`: 21,349 rejects; a JSON array under `reddit-comments`: 4,443 rejects
    /// at "line 1"; a bzip2 log under `access-log`: compressed bytes read as text). Now the
    /// file stops with one message saying what the preset reads and what to do.
    @Test func aWrongFormatUnderAPresetIsOneMessage() throws {
        func reason(_ preset: String, _ bytes: [UInt8]) throws -> String? {
            let folder = try TestFolder()
            defer { withExtendedLifetime(folder) {} }
            let path = try folder.writeBytes("export.data", bytes)
            var config = DefaultConfig.load()
            var spec = try #require(Presets.spec(named: preset))
            spec.host = "blog.acme.example"
            config.inputs = [spec]
            do {
                _ = try StagedFileReader(path: path, kindOverride: nil, config: config, zone: .utc, persons: testPersons())
                return nil
            } catch let error as MappingError {
                return error.reason
            }
        }
        let hnCSV = Array("id,title,url,num_points,num_comments,author,created_at\n12579005,SHOW HN: Something,https://x.example,1,0,pg,9/26/2016 3:26\n".utf8)
        #expect(try reason("hackernews", hnCSV) == "preset 'hackernews' reads one JSON object per line (JSONL), but this file starts with 'id,title,url,num_points,num_comments,aut' — it is not JSON (CSV?): use the preset or mapping made for this export")
        let redditArray = Array(#"[{"id":"l1abcd","parent_id":"t3_1cxyz","author":"ann","body":"hi","created_utc":1714557600,"subreddit":"devops"}]"#.utf8)
        #expect(try reason("reddit-comments", redditArray)?.hasSuffix("— a JSON array: convert it to one object per line (jq -c '.[]' export.data > export.data.jsonl), or set format = \"jsonarray\" in the [[inputs]] entry") == true)
        // Real magic bytes: `printf 'x' | bzip2 | xxd`, and the zstd, xz and zip headers.
        let bzip2: [UInt8] = [0x42, 0x5A, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0x8B, 0x16, 0x29, 0x4A]
        #expect(try reason("access-log", bzip2) == "file is compressed with bzip2, which Footprint does not read; decompress it (bunzip2 -k export.data) or recompress it with gzip (bunzip2 -c export.data | gzip > export.data.gz)")
        #expect(try reason("reddit-comments", [0x28, 0xB5, 0x2F, 0xFD, 0x04, 0x58, 0x09, 0x00])?.hasPrefix("file is compressed with zstd") == true)
        #expect(try reason("hackernews", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00, 0x04])?.hasPrefix("file is compressed with xz") == true)
        #expect(try reason("slack", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00])?.hasPrefix("file is a zip archive") == true)
        #expect(try reason("access-log", Array(#"{"ip":"1.2.3.4"}"#.utf8))?.contains("JSON, not log lines") == true)
        // The right format still loads.
        #expect(try reason("access-log", Array("1.2.3.4 - - [01/May/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n".utf8)) == nil)
    }

    @Test func everyPresetParsesAndNamesItsKind() {
        for name in Presets.names {
            #expect(Presets.spec(named: name)?.kind != nil, "\(name)")
        }
        #expect(Presets.names == ["access-log", "bitly-stream", "ga4", "hackernews", "reddit-comments", "reddit-submissions",
                                  "shlink", "slack", "yourls", "mailchimp", "substack", "wordpress-comments", "wordpress-subscribers"].sorted())
    }
}

@Suite struct AccessLogTests {
    @Test func combinedAndCommonLinesBecomePageViewsAndTheRestIsSkippedByReason() throws {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }
        let log = """
            81.2.69.142 - - [01/May/2024:10:00:00 +0200] "GET /posts/launch?utm_source=t HTTP/1.1" 200 5120 "https://t.co/abc" "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0"
            81.2.69.142 - - [01/May/2024:10:00:01 +0200] "GET /assets/site.css HTTP/1.1" 200 880 "https://blog.acme.example/posts/launch" "Mozilla/5.0"
            89.160.20.112 - frank [01/May/2024:10:05:00 +0200] "GET /posts/other HTTP/2.0" 304 0 "-" "Mozilla/5.0 (Macintosh) Safari/605.1.15"
            89.160.20.112 - - [01/May/2024:10:06:00 +0200] "POST /api/subscribe HTTP/1.1" 201 12 "-" "Mozilla/5.0"
            216.160.83.56 - - [01/May/2024:10:07:00 +0200] "GET /missing HTTP/1.1" 404 153 "-" "Mozilla/5.0"
            this is not a log line
            216.160.83.56 - - [01/May/2024:10:08:00 -0500] "GET / HTTP/1.0" 200 2326

            """
        try log.write(toFile: folder.file("access.log"), atomically: true, encoding: .utf8)
        let config = try ConfigLoader.parse("[[inputs]]\nmatch = \"access*\"\npreset = \"access-log\"\nhost = \"Blog.Acme.example\"\n")
        let reader = try StagedFileReader(path: folder.file("access.log"), kindOverride: nil, config: config, zone: .utc, persons: testPersons())
        var rows: [StagedRow] = []
        while let row = reader.next() { rows.append(row) }
        #expect(rows.count == 7)
        guard case .event(1, .web(let first)) = rows[0], case .event(3, .web(let second)) = rows[2],
              case .event(7, .web(let common)) = rows[6] else { Issue.record("lines 1, 3 and 7 are page views"); return }
        #expect(first.page.text == "https://blog.acme.example/posts/launch")
        #expect(first.occurredAt == 1_714_550_400)          // 10:00 at +02:00
        #expect(first.referrer?.host == "t.co")
        #expect(first.visitor == testHasher.person("81.2.69.142"))   // the client address, hashed like any id
        #expect(second.referrer == nil)                      // "-" is no referrer
        #expect(common.page.text == "https://blog.acme.example")
        #expect(common.occurredAt == 1_714_576_080)         // 10:08 at -05:00 is 15:08Z; Common Log Format
        #expect(rows[1] == .skipped(line: 2, reason: "asset (.css)"))
        #expect(rows[3] == .skipped(line: 4, reason: "method POST, not GET"))
        #expect(rows[4] == .skipped(line: 5, reason: "status 4xx"))
        guard case .rejected(6, "line is not in Combined or Common Log Format (or is cut off inside a quoted field)", _) = rows[5] else {
            Issue.record("line 6 should be rejected"); return
        }
    }

    /// Three defects found on real Apache and NASA logs: a line cut off inside the user
    /// agent loaded as a person's page view (it was Googlebot); `\xHH` escapes were not
    /// decoded, so a referrer became the domain `xe4xe5…`; and a host name (HostnameLookups
    /// on) was counted as "an IP without a country".
    @Test func truncatedLinesEscapesAndHostNames() throws {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }
        let log = #"""
            66.249.66.1 - - [01/May/2024:10:00:00 +0000] "GET /posts/launch HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.goo
            81.2.69.142 - - [01/May/2024:10:01:00 +0000] "GET /posts/launch HTTP/1.1" 200 5120 "https://\xe4\xbe\x8b\xe3\x81\x88.example/a?q=\"x\"" "Mozilla/5.0 Firefox/125.0"
            crawl-66-249-66-1.googlebot.example - - [01/May/2024:10:02:00 +0000] "GET /posts/other HTTP/1.1" 200 10 "-" "Mozilla/5.0 Firefox/125.0" "10.0.0.1"

            """#
        try log.write(toFile: folder.file("access.log"), atomically: true, encoding: .utf8)
        let config = try ConfigLoader.parse("[[inputs]]\nmatch = \"access*\"\npreset = \"access-log\"\nhost = \"blog.acme.example\"\n")
        let reader = try StagedFileReader(path: folder.file("access.log"), kindOverride: nil, config: config, zone: .utc, persons: testPersons())
        var rows: [StagedRow] = []
        while let row = reader.next() { rows.append(row) }
        #expect(rows.count == 3)
        guard case .rejected(1, "line is not in Combined or Common Log Format (or is cut off inside a quoted field)", _) = rows[0] else {
            Issue.record("the cut-off line is rejected: \(rows[0])"); return
        }
        guard case .event(2, .web(let decoded)) = rows[1], case .event(3, .web(let named)) = rows[2] else {
            Issue.record("lines 2 and 3 are page views: \(rows)"); return
        }
        #expect(decoded.referrer?.host == "例え.example")
        #expect(named.visitor == testHasher.person("crawl-66-249-66-1.googlebot.example"))
        #expect(reader.rowsWithUnresolvedIP == 1)    // the address on line 2; not the host name on line 3
    }

    @Test func anAccessLogWithoutAHostIsOneClearError() throws {
        let folder = try TestFolder()
        defer { withExtendedLifetime(folder) {} }
        try "1.2.3.4 - - [01/May/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n".write(toFile: folder.file("access.log"), atomically: true, encoding: .utf8)
        var config = DefaultConfig.load()
        config.inputs = [try #require(Presets.spec(named: "access-log"))]
        do {
            _ = try StagedFileReader(path: folder.file("access.log"), kindOverride: nil, config: config, zone: .utc, persons: testPersons())
            Issue.record("an access log without a host should fail")
        } catch let error as MappingError {
            #expect(error.reason.hasPrefix("the mapping builds URLs from {host}, but no host is given"))
        }
        // Declared as an access log but with no mapping for its URL: the preset is needed.
        let bare = try ConfigLoader.parse("[[inputs]]\nmatch = \"access*\"\nformat = \"accesslog\"\n")
        do {
            _ = try StagedFileReader(path: folder.file("access.log"), kindOverride: nil, config: bare, zone: .utc, persons: testPersons())
            Issue.record("an access log without a url mapping should fail")
        } catch let error as MappingError {
            #expect(error.reason.hasPrefix("access logs carry paths, not host names: use preset = \"access-log\""))
        }
    }
}
