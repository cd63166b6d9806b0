import Foundation
import Testing

/// Runs the built `footprint` binary as a user or cron would, checking exit status,
/// stdout and stderr.
struct CLI {
    static let binary: URL = {
        var candidates = [Bundle.main.bundleURL.appendingPathComponent("footprint"),
                          Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("footprint")]
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("footprint"))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/footprint"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static func run(_ arguments: [String], in folder: String) throws -> Result {
        try runProcess(binary, arguments, in: folder)
    }

    /// Runs footprint under a file-size limit (ulimit -f, in 512-byte blocks) with
    /// SIGXFSZ ignored, so writes past the limit fail with EFBIG as on a full disk.
    static func run(_ arguments: [String], in folder: String, fileSizeLimitBlocks blocks: Int) throws -> Result {
        try run(arguments, in: folder, shellPrefix: "trap '' XFSZ; ulimit -f \(blocks)")
    }

    /// Runs footprint from /bin/sh after `prefix` (e.g. `umask 077`).
    static func run(_ arguments: [String], in folder: String, shellPrefix prefix: String) throws -> Result {
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "\(prefix); exec '\(binary.path)' \(quoted)"], in: folder)
    }

    /// Starts footprint without waiting for it (to overlap or kill it).
    static func start(_ arguments: [String], in folder: String) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        try process.run()
        return process
    }

    /// Asks the sqlite3 shell; returns what it printed.
    static func sqlite3(_ database: String, _ sql: String) throws -> String {
        try runProcess(URL(fileURLWithPath: "/usr/bin/sqlite3"), [database, sql], in: NSTemporaryDirectory()).stdout
    }

    private static func runProcess(_ executable: URL, _ arguments: [String], in folder: String) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "footprint-cli-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct CLITests {
    @Test func helpListsTheCommandsAndExitCodes() throws {
        let result = try CLI.run(["--help"], in: NSTemporaryDirectory())
        #expect(result.status == 0)
        for command in ["ingest", "report", "run", "demo"] { #expect(result.stdout.contains(command)) }
        #expect(result.stdout.contains("2 usage or configuration error"))
    }

    @Test func usageErrorsExitTwo() throws {
        let folder = try temporaryFolder()
        let unknownFlag = try CLI.run(["ingest", "--colour", "x"], in: folder)
        #expect(unknownFlag.status == 2)
        let missing = try CLI.run(["ingest", "no-such-folder"], in: folder)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-folder: no such file or folder"))
        let badDate = try CLI.run(["report", "--out", "r", "--from", "2024-13-45"], in: folder)
        #expect(badDate.status == 2)
        #expect(badDate.stderr.contains("--from '2024-13-45' is not a date"))
        let noSuchDay = try CLI.run(["report", "--out", "r", "--to", "2024-02-30"], in: folder)
        #expect(noSuchDay.status == 2)
        #expect(noSuchDay.stderr.contains("--to '2024-02-30' is not a date"))
    }

    @Test func badConfigExitsTwoNamingTheKey() throws {
        let folder = try temporaryFolder()
        try "[[brands]]\nname = \"A\"\nself = true\nslogan = \"x\"\n".write(toFile: folder + "/bad.toml", atomically: true, encoding: .utf8)
        try "a,b\n".write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        let result = try CLI.run(["ingest", "--config", "bad.toml", "web.csv"], in: folder)
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.toml: brands[0].slogan: unknown key"))
    }

    @Test func rejectedRowsExitOneAndAreNamed() throws {
        let folder = try temporaryFolder()
        try "timestamp,visitor_id,url\n2024-05-01T10:00:00Z,v1,https://acme.example/\nnever,v2,https://acme.example/\n"
            .write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        let result = try CLI.run(["ingest", "--db", "t.sqlite", "--json", "web.csv"], in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 3: timestamp 'never' is not ISO 8601"))
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["exitStatus"] as? Int == 1)
        let files = (json?["ingest"] as? [String: Any])?["files"] as? [[String: Any]]
        let counts = files?.first?["result"] as? [String: Any]
        #expect(counts?["read"] as? Int == 2)
        #expect(counts?["loaded"] as? Int == 1)
        #expect(counts?["rejected"] as? Int == 1)
        // Again: the file is known, nothing new, exit 0.
        let again = try CLI.run(["ingest", "--db", "t.sqlite", "web.csv"], in: folder)
        #expect(again.status == 0)
        #expect(again.stderr.contains("skipped"))
    }

    @Test func quietPrintsNothingWhenAllIsWell() throws {
        let folder = try temporaryFolder()
        try "timestamp,visitor_id,url\n2024-05-01T10:00:00Z,v1,https://acme.example/\n"
            .write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        let result = try CLI.run(["run", "--quiet", "--db", "t.sqlite", "--out", "reports", "."], in: folder)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.isEmpty)
    }

    @Test func aGoalPageThatMatchesNoPageIsAWarningEvenWhenQuiet() throws {
        let folder = try temporaryFolder()
        try "timestamp,visitor_id,url\n2024-05-01T10:00:00Z,v1,https://acme.example/thanks\n"
            .write(toFile: folder + "/web.csv", atomically: true, encoding: .utf8)
        try """
            [[goals]]
            name = "newsletter"
            pages = ["https://acme.example/thanks", "https://acme.example/thnaks"]
            """.write(toFile: folder + "/footprint.toml", atomically: true, encoding: .utf8)
        let result = try CLI.run(["run", "--quiet", "--config", "footprint.toml", "--db", "t.sqlite", "--out", "reports", "web.csv"], in: folder)
        #expect(result.status == 0)
        #expect(result.stderr == "warning  goal 'newsletter': page https://acme.example/thnaks matches no page loaded so far\n")
        let goals = try String(contentsOfFile: folder + "/reports/goals.csv", encoding: .utf8)
        #expect(goals.contains("2024-05,newsletter,all,all,1,1,1\r\n"))
    }

    @Test func demoWritesEveryReportFromTheSampleData() throws {
        let folder = try temporaryFolder()
        let sample = CLI.repositoryRoot.appendingPathComponent("sample-data").path
        let result = try CLI.run(["demo", "--out", folder + "/reports", "--sample-data", sample], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let headers = [
            "geo.csv": "period,channel,country_code,country_name,events,people,share,index_vs_site",
            "geo_city.csv": "period,channel,country_code,region,city,events,people,share",
            "propagation.csv": "content_url,first_seen,first_owned_view,first_click,first_group_share,first_social_referral,first_news_referral,hours_to_news,channel_path,channels_reached,views,clicks,group_activities,max_cascade_depth,referring_domains,top_referrer",
            "attention.csv": "period,channel,entity,is_self,mentions,share,clicks,click_share,share_change",
            "engagement.csv": "period,property,pageviews,visitors,sessions,avg_engaged_seconds,bounce_rate,returning_visitor_rate",
            "referrers.csv": "period,property,referrer_domain,category,visits,share,rank",
            "bots.csv": "period,channel,cause,source,hits,share",
            "goals.csv": "period,goal,breakdown,value,sessions,conversions,conversion_rate",
            "topics.csv": "period,topic,items,views,visitors,clicks,click_share,group_activities,mentions,mention_share",
            "groups.csv": "period,platform,group,activities,active_members,posts,comments,shares,reactions,views,our_shares,responses_to_our_shares,self_mentions",
            "influencers.csv": "period,platform,actor,posts,comments,responses_received,responders,reshares,self_mentions,competitor_mentions,top_group,country,rank",
            "vips.csv": "period,list,subscribers,commenters,vips,vip_comments,vip_comments_answered,new_vips,lapsed_vips",
            "impact.csv": "period,metric,value,value_change,self_mentions,self_share,views,clicks",
        ]
        for (name, header) in headers {
            let text = try String(contentsOfFile: folder + "/reports/" + name, encoding: .utf8)
            let lines = text.components(separatedBy: "\r\n")
            #expect(lines.first == header, "\(name)")
            #expect(lines.count > 3, "\(name) has data rows")
        }
        // The sample is read in full: 5000 + 2000 + 1500 rows, the brand account's 124
        // answers, 341 subscribers and 523 outcomes, nothing rejected; its bots and
        // referrer spam (about 3 % and 1 %) are skipped.
        #expect(result.stderr.contains("clicks: 1956 loaded, 0 duplicate, 0 rejected, 44 skipped; groups: 1624 loaded, 0 duplicate, 0 rejected; outcomes: 523 loaded, 0 duplicate, 0 rejected; subscribers: 341 loaded, 0 duplicate, 0 rejected; web: 4824 loaded, 0 duplicate, 0 rejected, 176 skipped"))
        // The demo's goals and topics match pages of the sample: no warning.
        #expect(!result.stderr.contains("warning"))
    }
}
