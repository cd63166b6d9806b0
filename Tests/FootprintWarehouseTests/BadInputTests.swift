import Foundation
import GRDB
import Testing
import FootprintTestSupport
import FootprintConfig
import FootprintPipeline
@testable import FootprintWarehouse

/// Exports are cut off, re-delivered, hand-edited and occasionally hostile. For every
/// file here: no crash, and read = loaded + duplicate + rejected with a reason per
/// reject (or one clear file-level error when the file cannot be read at all).
@Suite struct BadInputTests {
    static let header = "event_id,timestamp,visitor_id,url\n"
    static func row(_ id: String, _ time: String = "2024-05-01T10:00:00Z") -> String {
        "\(id),\(time),v1,https://acme.example/\n"
    }

    func load(_ name: String, _ bytes: [UInt8], config: FootprintConfig = DefaultConfig.load()) throws -> IngestSummary.FileOutcome {
        let fx = try Fixture()
        let path = try fx.folder.writeBytes(name, bytes)
        let outcome = try Ingest(warehouse: fx.warehouse, config: config).run(files: [path]).files[0]
        if let result = outcome.result {
            #expect(result.read == result.loaded + result.duplicate + result.rejected + result.skipped)
            let stored = try fx.warehouse.read { db in
                try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM fact_page_view) + (SELECT COUNT(*) FROM fact_click) + (SELECT COUNT(*) FROM fact_group_activity)")
            }
            #expect(stored == result.loaded)
            let rejects = try fx.warehouse.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM load_rejects") }
            #expect(rejects == result.rejected)
        }
        return outcome
    }

    func load(_ name: String, _ text: String, config: FootprintConfig = DefaultConfig.load()) throws -> IngestSummary.FileOutcome {
        try load(name, Array(text.utf8), config: config)
    }

    @Test func botsAreCountedNotLoaded() throws {
        let text = "event_id,timestamp,visitor_id,url,user_agent\n"
            + "e1,2024-05-01T10:00:00Z,v1,https://acme.example/,Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0\n"
            + "e2,2024-05-01T10:00:00Z,v2,https://acme.example/,Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\n"
            + "e3,2024-05-01T10:00:00Z,v3,https://acme.example/,curl/8.4.0\n"
        let result = try #require(try load("web.csv", text).result)
        #expect(result.loaded == 1)
        #expect(result.skipped == 2)
        #expect(result.read == result.loaded + result.duplicate + result.rejected + result.skipped)
        #expect(result.skippedByReason.keys.sorted() == ["bot (Googlebot)", "bot (curl)"])
    }

    @Test func taggedVisitsWithoutAReferrerAreCreditedToTheirSource() throws {
        let fx = try Fixture()
        let text = "event_id,timestamp,visitor_id,url,referrer\n"
            + "e1,2024-05-01T10:00:00Z,v1,https://acme.example/?utm_source=li,\n"
            + "e2,2024-05-01T10:00:00Z,v2,https://acme.example/?utm_source=LinkedIn,\n"
            + "e3,2024-05-01T10:00:00Z,v3,https://acme.example/?utm_source=newsletter,\n"
            + "e4,2024-05-01T10:00:00Z,v4,https://acme.example/?utm_source=li,https://www.google.com/\n"
            + "e5,2024-05-01T10:00:00Z,v5,https://acme.example/?utm_source=spring,\n"
        _ = try fx.ingest([try fx.folder.write("web.csv", text)])
        let referrers = try fx.warehouse.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.domain, r.category, COUNT(*) FROM fact_page_view f JOIN dim_referrer r USING (referrer_key)
                GROUP BY r.domain, r.category ORDER BY r.domain
                """).map { "\($0[0] as String)/\($0[1] as String)/\($0[2] as Int)" }
        }
        // A real referrer wins over the tag; an unknown tag leaves the visit direct.
        #expect(referrers == ["/direct/1", "email/email/1", "google.com/search/1", "linkedin.com/social/2"])
    }

    @Test func headerOnlyLoadsNothingAndIsFine() throws {
        let outcome = try load("web.csv", Self.header)
        #expect(outcome.status == .loaded)
        #expect(outcome.result?.read == 0)
    }

    @Test func missingHeaderIsOneClearError() throws {
        let outcome = try load("web.csv", Self.row("e1") + Self.row("e2"))
        #expect(outcome.status == .failed)
        #expect(outcome.note?.contains("or add the missing header row: the first row looks like data") == true)
    }

    @Test func duplicateColumnNamesThatMatterStopTheFile() throws {
        let outcome = try load("web.csv", "event_id,timestamp,visitor_id,url,url\n" + "e1,2024-05-01T10:00:00Z,v1,https://a.example/,https://b.example/\n")
        #expect(outcome.status == .failed)
        #expect(outcome.note == "column 'url' appears more than once in the header (columns 4, 5); rename one, or map the right one in an [[inputs]] entry")
        // A duplicated column nobody reads is harmless.
        let harmless = try load("web.csv", "event_id,timestamp,visitor_id,url,note,note\n" + "e1,2024-05-01T10:00:00Z,v1,https://a.example/,x,y\n")
        #expect(harmless.result?.loaded == 1)
    }

    @Test func tenMegabyteFieldLoads() throws {
        let big = String(repeating: "x", count: 10 << 20)
        let outcome = try load("web.csv", "event_id,timestamp,visitor_id,url,user_agent\n" + "e1,2024-05-01T10:00:00Z,v1,https://acme.example/,\"\(big)\"\n")
        #expect(outcome.result?.loaded == 1)
    }

    @Test func overlongRowsAreSkippedWithBoundedMemory() throws {
        var config = DefaultConfig.load()
        config.limits.maxRecordBytes = 1 << 20
        let long = String(repeating: "y", count: 5 << 20)
        let text = Self.header + Self.row("e1") + "e2,2024-05-01T10:00:00Z,v1,https://acme.example/\(long)\n" + Self.row("e3")
        let result = try #require(try load("web.csv", text, config: config).result)
        #expect(result.loaded == 2)
        #expect(result.rejected == 1)
        #expect(result.firstRejects.first?.line == 3)
        #expect(result.firstRejects.first?.reason.hasPrefix("row is longer than 1048576 bytes") == true)
        // The same for JSONL.
        let jsonl = "{\"activity_id\":\"1\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"group\":\"g\",\"actor_id\":\"a\",\"action\":\"post\",\"text\":\"\(long)\"}\n"
            + "{\"activity_id\":\"2\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"group\":\"g\",\"actor_id\":\"a\",\"action\":\"post\"}\n"
        let groups = try #require(try load("groups.jsonl", jsonl, config: config).result)
        #expect(groups.loaded == 1)
        #expect(groups.firstRejects.first?.line == 1)
    }

    @Test func nulBytesLatin1AndUTF16() throws {
        let nul = try #require(try load("web.csv", Array((Self.header + "e1,2024-05-01T10:00:00Z,v\0,https://acme.example/\n" + Self.row("e2")).utf8)).result)
        #expect(nul.loaded == 1)
        #expect(nul.firstRejects.first?.reason.contains("NUL byte") == true)
        // "Müller" in Latin-1: ü is 0xFC, not UTF-8.
        let latin1 = Array(Self.header.utf8) + Array("e1,2024-05-01T10:00:00Z,M".utf8) + [0xFC] + Array("ller,https://acme.example/\n".utf8)
        let latinResult = try #require(try load("web.csv", latin1).result)
        #expect(latinResult.rejected == 1)
        #expect(latinResult.firstRejects.first?.reason == "field 3 is not valid UTF-8 (convert the file to UTF-8)")
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in (Self.header + Self.row("e1")).utf16 { utf16 += [UInt8(unit & 0xff), UInt8(unit >> 8)] }
        let outcome = try load("web.csv", utf16)
        #expect(outcome.status == .failed)
        #expect(outcome.note?.hasPrefix("file is UTF-16") == true)
        #expect(outcome.note?.contains("convert it to UTF-8") == true)
    }

    @Test func mixedLineEndingsAndBlankLines() throws {
        let text = "event_id,timestamp,visitor_id,url\r\n" + "e1,2024-05-01T10:00:00Z,v1,https://acme.example/\r\n\n\r\n" + Self.row("e2")
        let result = try #require(try load("web.csv", text).result)
        #expect(result.loaded == 2)
        #expect(result.rejected == 0)
    }

    @Test func gzipBombIsStoppedByTheFileLimit() throws {
        var config = DefaultConfig.load()
        config.limits.maxFileBytes = 2 << 20
        var text = Self.header
        for i in 0..<100_000 { text += Self.row("e\(i)") }  // ~5 MB, compresses to ~0.3 MB
        let outcome = try load("web.csv.gz", try TestFolder.gzip(text), config: config)
        let result = try #require(outcome.result)
        #expect(result.loaded > 10_000 && result.loaded < 100_000)
        #expect(result.rejected == 1)
        #expect(result.firstRejects.last?.reason.contains("larger than 2097152 bytes once decompressed") == true)
    }

    @Test func corruptChecksumIsAReject() throws {
        var bytes = try TestFolder.gzip(Self.header + Self.row("e1") + Self.row("e2"))
        bytes[bytes.count - 6] ^= 0xFF  // the CRC-32 in the gzip trailer
        let result = try #require(try load("web.csv.gz", bytes).result)
        #expect(result.rejected == 1)
        #expect(result.firstRejects.first?.reason.contains("corrupt gzip data") == true)
    }

    @Test func rowLimitPerFile() throws {
        var config = DefaultConfig.load()
        config.limits.maxRowsPerFile = 3
        let text = Self.header + (1...10).map { Self.row("e\($0)") }.joined()
        let result = try #require(try load("web.csv", text, config: config).result)
        #expect(result.loaded == 3)
        #expect(result.rejected == 1)
        #expect(result.firstRejects.first?.reason.hasPrefix("file has more than 3 rows") == true)
    }

    @Test func implausibleTimestampsAreRejected() throws {
        let text = Self.header + Self.row("e1", "1994-12-31T23:59:59Z") + Self.row("e2", "2999-01-01T00:00:00Z")
            + Self.row("e3", "2024-02-30T10:00:00Z") + Self.row("e4", "1714557600") + Self.row("e5", "1714557600000")
        let result = try #require(try load("web.csv", text).result)
        #expect(result.loaded == 2)
        #expect(result.firstRejects.map(\.reason) == [
            "timestamp '1994-12-31T23:59:59Z' is before 1995-01-01 (a wrong unit or a placeholder date?)",
            "timestamp '2999-01-01T00:00:00Z' is outside 1970–2100 (microseconds or a wrong unit?)",
            "timestamp '2024-02-30T10:00:00Z' is not ISO 8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds/milliseconds (or names a day that does not exist)",
        ])
        // e4 and e5 are the same instant in seconds and milliseconds, but different ids.
    }

    @Test func jsonEdgeCases() throws {
        let lines = [
            #"{"activity_id":123456789012345678901234567890,"timestamp":1714557600,"group":"g","actor_id":"a","action":"post"}"#,
            #"{"activity_id":"x2","timestamp":"1714557600","group":"g","actor_id":"a","action":"post","count":"7"}"#,
            #"{"activity_id":"x3","timestamp":"2024-05-01T10:00:00Z","group":"g","actor_id":"a","action":"post","count":1e400}"#,
            #"{"activity_id":"x4","activity_id":"x5","timestamp":"2024-05-01T10:00:00Z","group":"g","actor_id":"a","action":"post"}"#,
            String(repeating: "[", count: 10_000),
            #"["not","an","object"]"#,
        ]
        let result = try #require(try load("groups.jsonl", lines.joined(separator: "\n") + "\n").result)
        #expect(result.read == 6)
        #expect(result.loaded == 3)
        #expect(result.rejected == 3)
        #expect(result.firstRejects.map(\.line) == [3, 5, 6])
        #expect(result.firstRejects[0].reason == "count '1e400' is not a non-negative whole number")
        #expect(result.firstRejects[1].reason.hasSuffix("nested deeper than 256 levels"))
    }

    @Test func countryNamesInOtherLanguagesAndOddURLs() throws {
        let text = "event_id,timestamp,visitor_id,url,country\n"
            + "e1,2024-05-01T10:00:00Z,v1,https://user:secret@Acme.example/a,Deutschland\n"
            + "e2,2024-05-01T10:00:00Z,v1,acme.example/b,España\n"
            + "e3,2024-05-01T10:00:00Z,v1,https://bücher.example/c,日本\n"
            + "e4,2024-05-01T10:00:00Z,v1,https://acme.example/\(String(repeating: "z", count: 65_536)),Atlantis\n"
        let fx = try Fixture()
        let path = try fx.folder.write("web.csv", text)
        let result = try #require(try fx.ingest([path]).files[0].result)
        #expect(result.loaded == 4)
        let countries = try fx.warehouse.read { db in
            try String.fetchAll(db, sql: "SELECT g.country_code FROM fact_page_view f JOIN dim_geography g ON g.geo_key = f.geo_key ORDER BY f.source_id")
        }
        #expect(countries == ["DE", "ES", "JP", "ZZ"])
        let urls = try fx.warehouse.read { db in try String.fetchAll(db, sql: "SELECT url FROM dim_content ORDER BY url") }
        #expect(urls.contains("https://acme.example/a"))      // userinfo dropped, never stored
        #expect(urls.contains("https://acme.example/b"))
        #expect(urls.contains("https://bücher.example/c"))
        #expect(!urls.joined().contains("secret"))
    }
}
