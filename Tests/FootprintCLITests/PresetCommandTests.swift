import Foundation
import Testing

/// Presets from the command line, as the README tells users to run them.
@Suite struct PresetCommandTests {
    @Test func slackChannelFoldersLoadAsGroupsNamedForTheirFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (channel, day, ts) in [("general", "2024-05-01", "1714557600.000200"), ("launch-chat", "2024-05-02", "1714644000.000300")] {
            try FileManager.default.createDirectory(atPath: "\(folder)/export/\(channel)", withIntermediateDirectories: true)
            try #"[{"type": "message", "user": "U1", "text": "Acme ships", "ts": "\#(ts)"}, {"type": "message", "user": "U2", "text": "yes", "ts": "\#(ts.dropLast(3))999", "thread_ts": "\#(ts)"}]"#
                .write(toFile: "\(folder)/export/\(channel)/\(day).json", atomically: true, encoding: .utf8)
        }
        let result = try CLI.run(["ingest", "--db", "f.sqlite", "--preset", "slack", "export/general", "export/launch-chat"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let groups = try CLI.sqlite3(folder + "/f.sqlite", """
            SELECT g.platform, g.name, COUNT(*), SUM(f.parent_source_id IS NOT NULL) FROM fact_group_activity f
            JOIN dim_group g USING (group_key) GROUP BY g.name ORDER BY g.name
            """)
        #expect(groups == "slack|general|2|1\nslack|launch-chat|2|1\n")
    }

    @Test func hostFromTheCommandLineBuildsYourlsShortLinks() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            "click_id","click_time","shorturl","url","referrer","user_agent","ip_address","country_code"
            "7","2024-05-01 10:00:00","launch","https://blog.acme.example/posts/launch","direct","Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0","81.2.69.142","GB"

            """.write(toFile: folder + "/yourls-log.csv", atomically: true, encoding: .utf8)
        let withoutHost = try CLI.run(["ingest", "--db", "f.sqlite", "--preset", "yourls", "yourls-log.csv"], in: folder)
        #expect(withoutHost.status != 0)
        #expect(withoutHost.stderr.contains("add host = \"sho.rt\""))
        let result = try CLI.run(["ingest", "--db", "f.sqlite", "--preset", "yourls", "--host", "Acme.link", "yourls-log.csv"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try CLI.sqlite3(folder + "/f.sqlite", "SELECT short_url FROM dim_short_link") == "https://acme.link/launch\n")
        let misuse = try CLI.run(["ingest", "--db", "f.sqlite", "--host", "acme.link", "yourls-log.csv"], in: folder)
        #expect(misuse.status == 2)
        #expect(misuse.stderr.contains("--host goes with --preset"))
    }

    /// Each bit.ly heartbeat used to be its own skip reason (`_heartbeat_ is present
    /// ('1331923261')`): 120 reasons for one rule in an hour's archive. One rule, one line,
    /// one example.
    @Test func skipReasonsAreGroupedByRuleWithOneExample() throws {
        let folder = try temporaryFolder()
        var text = ""
        for minute in 0..<7 { text += "{\"_heartbeat_\": \(1331923201 + minute * 60)}\n" }
        text += #"{"hh": "1.usa.gov", "h": "wfLQtf", "u": "http://www.ncbi.nlm.nih.gov/pubmed/22415991", "t": 1331923247, "c": "US"}"# + "\n"
        try text.write(toFile: folder + "/bitly-hour.json", atomically: true, encoding: .utf8)
        let result = try CLI.run(["ingest", "--json", "--db", "f.sqlite", "--preset", "bitly-stream", "bitly-hour.json"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("skipped 7: _heartbeat_ is present (e.g. '1331923201')"))
        #expect(result.stderr.components(separatedBy: "skipped ").count == 3)   // the per-file line and this one
        #expect(result.stdout.contains("\"_heartbeat_ is present\" : 7"))
    }

    /// A stray README.txt in the inbox failed its file on every nightly run (exit 1)
    /// with no way to say it is not input.
    @Test func anIgnoredFileIsSkippedNotFailed() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        try "Exports land here nightly.\n".write(toFile: folder + "/inbox/README.txt", atomically: true, encoding: .utf8)
        try NightlyRunTests.webRows(5).write(toFile: folder + "/inbox/web_1.csv", atomically: true, encoding: .utf8)
        let stray = try CLI.run(["ingest", "--db", "a.sqlite", "inbox"], in: folder)
        #expect(stray.status == 1, "\(stray.stderr)")
        try "[[inputs]]\nmatch = \"README*\"\nignore = true\n".write(toFile: folder + "/f.toml", atomically: true, encoding: .utf8)
        let ignored = try CLI.run(["run", "--config", "f.toml", "--db", "b.sqlite", "--out", "reports", "inbox"], in: folder)
        #expect(ignored.status == 0, "\(ignored.stderr)")
        #expect(ignored.stderr.contains("skipped  inbox/README.txt: ignored ([[inputs]] entry 'README*' has ignore = true)"))
        #expect(try CLI.run(["run", "--quiet", "--config", "f.toml", "--db", "b.sqlite", "--out", "reports", "inbox"], in: folder).stderr == "")
        try "[[inputs]]\nmatch = \"README*\"\nignore = true\nkind = \"web\"\n".write(toFile: folder + "/bad.toml", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["ingest", "--config", "bad.toml", "--db", "c.sqlite", "inbox"], in: folder)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("inputs[0].ignore: an entry that ignores files takes only match and ignore"))
    }

    /// A file whose rows were all rejected counted as loaded: after the mapping was
    /// fixed, the next run said "already loaded" and its rows could never come in.
    @Test func aFileThatLoadedNothingIsReadAgainOnceTheMappingIsFixed() throws {
        let folder = try temporaryFolder()
        try """
            event_id,timestamp,ts,visitor_id,url
            e1,see ts,2024-05-01T10:00:00Z,v1,https://acme.example/
            e2,see ts,2024-05-01T10:05:00Z,v2,https://acme.example/x
            e3,see ts,2024-05-01T10:10:00Z,v3,https://acme.example/y

            """.write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        for _ in 0..<2 {
            let rejected = try CLI.run(["ingest", "--db", "d.sqlite", "web_1.csv"], in: folder)
            #expect(rejected.status == 1, "\(rejected.stderr)")
            #expect(rejected.stderr.contains("rejected 3"))
            #expect(rejected.stderr.contains("nothing was loaded, so the file is not marked as loaded"))
            #expect(!rejected.stderr.contains("already loaded"))
            // The second read replaces the first one's rejects instead of adding to them.
            #expect(try CLI.sqlite3(folder + "/d.sqlite", "SELECT COUNT(*) FROM load_rejects; SELECT COUNT(*) FROM load_files;") == "3\n1\n")
        }
        try "[[inputs]]\nmatch = \"web_*\"\nkind = \"web\"\n[inputs.fields]\ntimestamp = \"ts\"\n".write(toFile: folder + "/fixed.toml", atomically: true, encoding: .utf8)
        let fixed = try CLI.run(["ingest", "--config", "fixed.toml", "--db", "d.sqlite", "web_1.csv"], in: folder)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(try CLI.sqlite3(folder + "/d.sqlite", "SELECT COUNT(*) FROM fact_page_view; SELECT COUNT(*) FROM load_rejects; SELECT rows_loaded FROM load_files;") == "3\n0\n3\n")
        let again = try CLI.run(["ingest", "--config", "fixed.toml", "--db", "d.sqlite", "web_1.csv"], in: folder)
        #expect(again.stderr.contains("already loaded"))
    }

    /// In a Slack export, day files can be byte-identical across channels (the same
    /// user's channel_join at the same ts): different events in different channels, but
    /// the second file was skipped as "same content as …", and its messages never read.
    @Test func identicalDayFilesInTwoChannelsAreBothRead() throws {
        let folder = try temporaryFolder()
        let day = #"[{"type": "message", "subtype": "channel_join", "user": "U1", "text": "<@U1> has joined the channel", "ts": "1714557600.000200"}]"#
        for channel in ["general", "random"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/export/\(channel)", withIntermediateDirectories: true)
            try day.write(toFile: "\(folder)/export/\(channel)/2024-05-01.json", atomically: true, encoding: .utf8)
        }
        let first = try CLI.run(["ingest", "--db", "f.sqlite", "--preset", "slack", "export/general", "export/random"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try CLI.sqlite3(folder + "/f.sqlite", "SELECT g.name, COUNT(*) FROM fact_group_activity a JOIN dim_group g USING (group_key) GROUP BY g.name ORDER BY g.name;") == "general|1\nrandom|1\n")
        let again = try CLI.run(["ingest", "--db", "f.sqlite", "--preset", "slack", "export/general", "export/random"], in: folder)
        #expect(again.stderr.contains("ingest: 0 file(s) loaded, 2 skipped"))
    }

    /// `ingest --reload FILE` after the mapping was fixed: the file's rows are replaced,
    /// not added to.
    @Test func reloadReadsAFileAgainUnderAFixedMapping() throws {
        let folder = try temporaryFolder()
        try """
            event_id,timestamp,visitor_id,url,page
            e1,2024-05-01T10:00:00Z,v1,https://acme.example/,https://acme.example/pricing
            e2,2024-05-01T10:05:00Z,v2,https://acme.example/,https://acme.example/docs

            """.write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", "--db", "d.sqlite", "web_1.csv"], in: folder).status == 0)
        try "[[inputs]]\nmatch = \"web_*\"\nkind = \"web\"\n[inputs.fields]\nurl = \"page\"\n".write(toFile: folder + "/fixed.toml", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", "--config", "fixed.toml", "--db", "d.sqlite", "web_1.csv"], in: folder).stderr.contains("already loaded"))
        let reload = try CLI.run(["ingest", "--reload", "--config", "fixed.toml", "--db", "d.sqlite", "web_1.csv"], in: folder)
        #expect(reload.status == 0, "\(reload.stderr)")
        #expect(reload.stderr.contains("loaded 2, duplicate 0"))
        #expect(try CLI.sqlite3(folder + "/d.sqlite", "SELECT c.url FROM fact_page_view JOIN dim_content c USING (content_key) ORDER BY source_id; SELECT COUNT(*) FROM load_files;")
                == "https://acme.example/pricing\nhttps://acme.example/docs\n1\n")
    }
}
