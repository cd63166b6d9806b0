import Foundation
import Testing

/// What `--out` may be, and what publishing and its clean-up may touch (issue #14).
@Suite struct OutputFolderTests {
    static func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// `--out a/b/reports` with no `a/` loaded everything, then failed (exit 3).
    @Test func anOutInAMissingFolderIsRefusedBeforeAnyWork() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(5).write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        let refused = try CLI.run(["run", "--db", "d.sqlite", "--out", "nowhere/reports", "web_1.csv"], in: folder)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("the folder nowhere does not exist; create it (mkdir -p nowhere) or choose another --out"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/d.sqlite"))
    }

    /// `report --out d.sqlite` used to move the database aside and delete it a run later.
    @Test func anExistingFileAtOutIsRefusedAndKept() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(20).write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", "--db", "d.sqlite", "web_1.csv"], in: folder).status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: folder + "/d.sqlite")[.size] as? Int
        for _ in 0..<2 {
            let refused = try CLI.run(["report", "--db", "d.sqlite", "--out", "d.sqlite"], in: folder)
            #expect(refused.status == 2, "\(refused.stderr)")
            #expect(refused.stderr.contains("--out d.sqlite: it is an existing file that would be lost"))
        }
        #expect(try FileManager.default.attributesOfItem(atPath: folder + "/d.sqlite")[.size] as? Int == size)
        #expect(!FileManager.default.fileExists(atPath: folder + "/.d.sqlite.sets"))
        #expect(try CLI.sqlite3(folder + "/d.sqlite", "SELECT COUNT(*) FROM fact_page_view;") == "20\n")
    }

    /// `run --out inbox inbox` used to move the inbox aside, exit 0, and delete it later.
    @Test func aFolderThatHoldsFilesIsRefusedBeforeAnyWork() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        try NightlyRunTests.webRows(20).write(toFile: folder + "/inbox/web_1.csv", atomically: true, encoding: .utf8)
        let refused = try CLI.run(["run", "--db", "d.sqlite", "--out", "inbox", "inbox"], in: folder)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("--out inbox: it is a folder that holds 1 entry"))
        #expect(Self.files(folder + "/inbox") == ["web_1.csv"])
        #expect(!FileManager.default.fileExists(atPath: folder + "/d.sqlite"))   // nothing was loaded either
        // An empty folder is fine: it becomes the link.
        try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: true)
        #expect(try CLI.run(["run", "--db", "d.sqlite", "--out", "empty", "inbox"], in: folder).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/empty").hasPrefix(".empty.sets/"))
        // A link footprint did not make is refused too.
        #expect(symlink("inbox", folder + "/elsewhere") == 0)
        let link = try CLI.run(["report", "--db", "d.sqlite", "--out", "elsewhere"], in: folder)
        #expect(link.status == 2)
        #expect(link.stderr.contains("it is a link to 'inbox', which footprint did not make"))
    }

    /// `--out rep/` failed every run and left a whole orphan set behind each time.
    @Test func aTrailingSlashNamesTheSameLink() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(20).write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        for _ in 0..<3 {
            let result = try CLI.run(["run", "--db", "d.sqlite", "--out", "rep/", "web_1.csv"], in: folder)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/rep").hasPrefix(".rep.sets/"))
        #expect(Self.files(folder + "/.rep.sets").count == 2)
        #expect(FileManager.default.fileExists(atPath: folder + "/rep/geo.csv"))
    }

    /// A planted `.NAME.sets` link used to be followed, and the clean-up deleted in its
    /// target (19 of 20 files).
    @Test func aPlantedSetsLinkIsRefusedAndItsTargetKept() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/victim", withIntermediateDirectories: true)
        for i in 0..<20 { try "keep \(i)".write(toFile: folder + "/victim/f\(i)", atomically: true, encoding: .utf8) }
        #expect(symlink("victim", folder + "/.reports.sets") == 0)
        try NightlyRunTests.webRows(20).write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        for _ in 0..<3 {
            let result = try CLI.run(["run", "--db", "d.sqlite", "--out", "reports", "web_1.csv"], in: folder)
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains(".reports.sets is a link"))
        }
        #expect(Self.files(folder + "/victim") == (0..<20).map { "f\($0)" }.sorted())
    }

    /// Under the shipped systemd unit's UMask=0077, `file_mode = "0640"` gave 0640 to the
    /// database only: the lock, the reports and the review came out 0600.
    @Test func fileModeHoldsUnderARestrictiveUmask() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(20).write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        try "[privacy]\nfile_mode = \"0640\"\n".write(toFile: folder + "/team.toml", atomically: true, encoding: .utf8)
        let run = try CLI.run(["run", "--config", "team.toml", "--db", "d.sqlite", "--out", "reports", "web_1.csv"],
                              in: folder, shellPrefix: "umask 077")
        #expect(run.status == 0, "\(run.stderr)")
        let review = try CLI.run(["review", "--config", "team.toml", "--db", "d.sqlite", "--quarter", "2024-Q2", "--out", "review.html"],
                                 in: folder, shellPrefix: "umask 077")
        #expect(review.status == 0, "\(review.stderr)")
        for file in ["d.sqlite", "d.sqlite.lock", "reports/geo.csv", "reports/engagement.csv", "review.html"] {
            #expect(try FileModeTests.mode(folder + "/" + file) == 0o640, "\(file)")
        }
        #expect(try FileModeTests.mode(folder + "/.reports.sets") == 0o750)
        #expect(try FileModeTests.mode(folder + "/reports/") == 0o750)
    }

    /// The review replaces a review, never the database or another file.
    @Test func reviewRefusesToReplaceWhatIsNotAReview() throws {
        let folder = try temporaryFolder()
        try NightlyRunTests.webRows(20).write(toFile: folder + "/web_1.csv", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", "--db", "d.sqlite", "web_1.csv"], in: folder).status == 0)
        let refused = try CLI.run(["review", "--db", "d.sqlite", "--quarter", "2024-Q2", "--out", "web_1.csv"], in: folder)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("it exists and is not an HTML page"))
        #expect(try String(contentsOfFile: folder + "/web_1.csv", encoding: .utf8) == NightlyRunTests.webRows(20))
        #expect(try CLI.run(["review", "--db", "d.sqlite", "--quarter", "2024-Q2", "--out", "r.html"], in: folder).status == 0)
        #expect(try CLI.run(["review", "--db", "d.sqlite", "--quarter", "2024-Q2", "--out", "r.html"], in: folder).status == 0)
    }
}

/// Input folders reached through links, and what the summary prints (issue #14).
@Suite struct InputPathTests {
    /// `ingest linkdir` used to find 0 files and exit 0; linked subfolders were skipped
    /// without a word.
    @Test func linkedFoldersAreReadOnceAndLoopsAreCut() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/real/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/other", withIntermediateDirectories: true)
        try NightlyRunTests.webRows(10).write(toFile: folder + "/real/web_a.csv", atomically: true, encoding: .utf8)
        try NightlyRunTests.webRows(12).replacingOccurrences(of: "\ne", with: "\nf")
            .write(toFile: folder + "/other/web_b.csv", atomically: true, encoding: .utf8)
        #expect(symlink("../../other", folder + "/real/sub/linked") == 0)   // a linked subfolder
        #expect(symlink("..", folder + "/real/sub/loop") == 0)              // a loop back up
        #expect(symlink("real", folder + "/linkdir") == 0)                  // the input itself a link
        let result = try CLI.run(["ingest", "--json", "--db", "d.sqlite", "linkdir"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("ingest: 2 file(s) loaded"))
        #expect(result.stderr.contains("note     linkdir/sub/loop: the same folder was already read by another path (a link); read once"))
        #expect(try CLI.sqlite3(folder + "/d.sqlite", "SELECT COUNT(*) FROM fact_page_view;") == "22\n")
    }

    /// A report link inside an inbox (`--out inbox/reports`) is not read as input.
    @Test func aReportLinkInTheInboxIsNotInput() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        try NightlyRunTests.webRows(10).write(toFile: folder + "/inbox/web_a.csv", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "--db", "d.sqlite", "--out", "inbox/reports", "inbox"], in: folder).status == 0)
        let again = try CLI.run(["run", "--db", "d.sqlite", "--out", "inbox/reports", "inbox"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("note     inbox/reports: a footprint report link (--out), not input"))
        #expect(again.stderr.contains("ingest: 0 file(s) loaded, 1 skipped, 0 failed"))
    }

    /// Rejected values and file names went to stderr raw: an escape sequence recoloured
    /// the terminal and a newline forged a summary line.
    @Test func controlCharactersArePrintedAsEscapes() throws {
        let folder = try temporaryFolder()
        let name = "web_\u{1B}[2Jx\nloaded   fake.csv.csv"
        try "event_id,timestamp,visitor_id,url\ne1,not a time\u{1B}[31m\nFORGED,v1,https://acme.example/\n"
            .write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        let result = try CLI.run(["ingest", "--db", "d.sqlite", name], in: folder)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("\u{1B}"))
        #expect(!result.stderr.contains("\nloaded   fake.csv"))
        #expect(result.stderr.contains("web_\\x1b[2Jx\\nloaded   fake.csv.csv"))
    }
}
