import Foundation
import GRDB
import Testing
import FootprintTestSupport
import FootprintConfig
import FootprintPipeline
@testable import FootprintWarehouse

@Suite struct PrivacyTests {
    @Test func forgetRemovesOneVisitorEverywhere() throws {
        let fx = try Fixture()
        let web = "event_id,timestamp,visitor_id,url\n"
            + "e1,2024-05-01T10:00:00Z,alice@example.com,https://acme.example/\n"
            + "e2,2024-05-01T10:05:00Z,alice@example.com,https://acme.example/x\n"
            + "e3,2024-05-01T10:00:00Z,bob,https://acme.example/\n"
            + "e4,not-a-time,alice@example.com,https://acme.example/\n"
        _ = try fx.ingest([try fx.folder.write("web.csv", web)])
        // The rejected row is kept for fixing the input, but without the visitor id.
        let raw = try fx.warehouse.read { db in try String.fetchOne(db, sql: "SELECT raw_text FROM load_rejects") }
        #expect(raw == "e4,not-a-time,[id removed],https://acme.example/")
        let result = try fx.warehouse.forget(rawID: "alice@example.com", role: .visitor, config: fx.config)
        #expect(result == ForgetResult(pageViews: 2, sessions: 1, groupActivities: 0, rejectedRows: 0))
        #expect(try fx.count("fact_page_view") == 1)
        #expect(try fx.count("fact_session") == 1)
        #expect(try fx.count("dim_person") == 1)
        // Loading the same file again would bring her back; a new file without her does not.
        let again = try fx.warehouse.forget(rawID: "alice@example.com", role: .visitor, config: fx.config)
        #expect(!again.found)
    }

    @Test func rejectedJSONRowsKeepTheirTextWithoutTheActorId() throws {
        let fx = try Fixture()
        let line = #"{"activity_id":"p","timestamp":"never","group":"g","actor":{"id":"carol@example.com"},"action":"post"}"#
        var config = fx.config
        config.inputs = [InputSpec(match: "groups*", kind: .groups, fields: ["actor_id": .path("actor.id")])]
        _ = try Ingest(warehouse: fx.warehouse, config: config).run(files: [try fx.folder.write("groups.jsonl", line + "\n")])
        let raw = try fx.warehouse.read { db in try String.fetchOne(db, sql: "SELECT raw_text FROM load_rejects") }
        #expect(raw == #"{"action":"post","activity_id":"p","actor":{"id":"[id removed]"},"group":"g","timestamp":"never"}"#)
    }

    /// A row with a bad timestamp used to keep `…,SecretUA/9.9,203.0.113.77` in
    /// load_rejects: the user agent and address the README says are never stored.
    @Test func rejectedRowsKeepNoAddressOrUserAgent() throws {
        let fx = try Fixture()
        let web = "event_id,timestamp,visitor_id,url,user_agent,ip\n"
            + "e1,not-a-time,alice,https://acme.example/,SecretUA/9.9,203.0.113.77\n"
        let clicks = "click_id,timestamp,short_url,long_url,user_agent,ip\n"
            + "c1,never,https://bit.ly/a,https://acme.example/,SecretUA/9.8,198.51.100.7\n"
        _ = try fx.ingest([try fx.folder.write("web.csv", web), try fx.folder.write("clicks.csv", clicks)])
        let raw = try fx.warehouse.read { db in try String.fetchAll(db, sql: "SELECT raw_text FROM load_rejects ORDER BY raw_text") }
        #expect(raw == ["c1,never,https://bit.ly/a,https://acme.example/,[user agent removed],[ip removed]",
                        "e1,not-a-time,[id removed],https://acme.example/,[user agent removed],[ip removed]"])
        // In JSON, every source of a mapped column goes: both sides of `a|b`, an array element.
        var config = fx.config
        config.inputs = [InputSpec(match: "hits*", kind: .web, fields: [
            "visitor_id": .path("uid|cid"), "user_agent": .path("dev.ua"), "ip": .path("addr[0]")])]
        let line = #"{"timestamp":"never","uid":"u1","cid":"c1","url":"https://acme.example/","dev":{"ua":"SecretUA/9.7"},"addr":["192.0.2.1","x"]}"#
        _ = try Ingest(warehouse: fx.warehouse, config: config).run(files: [try fx.folder.write("hits.jsonl", line + "\n")])
        let json = try fx.warehouse.read { db in try String.fetchOne(db, sql: "SELECT raw_text FROM load_rejects WHERE raw_text LIKE '{%'") }
        #expect(json == #"{"addr":["[ip removed]","x"],"cid":"[id removed]","dev":{"ua":"[user agent removed]"},"timestamp":"never","uid":"[id removed]","url":"https://acme.example/"}"#)
    }

    @Test func forgetAnActorKeepsOthersRepliesAsTheirOwnChains() throws {
        let fx = try Fixture()
        let groups = [
            #"{"activity_id":"p","timestamp":"2024-05-01T10:00:00Z","group":"g","actor_id":"carol","action":"post","text":"Acme rocks"}"#,
            #"{"activity_id":"c","timestamp":"2024-05-01T11:00:00Z","group":"g","actor_id":"dave","action":"comment","parent_id":"p","text":"Agreed"}"#,
            #"{"activity_id":"r","timestamp":"2024-05-01T12:00:00Z","group":"g","actor_id":"erin","action":"reply","parent_id":"c"}"#,
        ].joined(separator: "\n") + "\n"
        _ = try fx.ingest([try fx.folder.write("groups.jsonl", groups)])
        #expect(try fx.count("fact_brand_mention") == 1)
        let result = try fx.warehouse.forget(rawID: "carol", role: .actor, config: fx.config)
        #expect(result.groupActivities == 1)
        #expect(try fx.count("fact_brand_mention") == 0)
        let depths = try fx.warehouse.read { db in
            try Int.fetchAll(db, sql: "SELECT depth FROM fact_group_activity ORDER BY occurred_at")
        }
        #expect(depths == [1, 2]) // the comment now starts its own chain (its parent is gone)
    }
}

@Suite struct FileSystemFaultTests {
    @Test func pipesAndDanglingLinksFailTheirFileOnlyWithAClearNote() throws {
        let fx = try Fixture()
        let inbox = fx.folder.file("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try webCSV(1...5).write(toFile: inbox + "/web_ok.csv", atomically: true, encoding: .utf8)
        #expect(mkfifo(inbox + "/web_pipe.csv", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: inbox + "/web_gone.csv", withDestinationPath: inbox + "/nowhere.csv")
        let summary = try fx.ingest(try InputFiles.expand([inbox]))
        let byName = Dictionary(uniqueKeysWithValues: summary.files.map { (($0.path as NSString).lastPathComponent, $0) })
        #expect(byName["web_ok.csv"]?.result?.loaded == 5)
        #expect(byName["web_pipe.csv"]?.status == .failed)
        #expect(byName["web_pipe.csv"]?.note == "not a regular file (a named pipe); skipped")
        #expect(byName["web_gone.csv"]?.status == .failed)
        #expect(byName["web_gone.csv"]?.note == "cannot open \(inbox)/web_gone.csv: No such file or directory")
    }

    @Test(.enabled(if: Immutable.available, "needs chattr +i (root on ext4)"))
    func readOnlyDatabaseIsAClearErrorNamingThePath() throws {
        let folder = try TestFolder()
        let path = folder.file("ro.sqlite")
        let warehouse = try Warehouse(path: path)
        let config = DefaultConfig.load()
        _ = try Ingest(warehouse: warehouse, config: config).run(files: [try folder.write("web_1.csv", webCSV(1...3))])
        // Fold the WAL into the file, then make the file immutable (even for root).
        try warehouse.write { db in try db.execute(sql: "SELECT 1") }
        #expect(Immutable.set(path, true))
        defer { Immutable.set(path, false) }
        do {
            let again = try Warehouse(path: path)
            _ = try Ingest(warehouse: again, config: config).run(files: [try folder.write("web_2.csv", webCSV(4...6))])
            Issue.record("loading into an immutable database should fail")
        } catch {
            #expect(warehouse.explain(error) == "cannot write the database \(path) (read-only file, folder or mount?); check its permissions")
        }
    }
}
