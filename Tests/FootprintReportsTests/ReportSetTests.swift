import Foundation
import Testing
import FootprintOutput
import FootprintTestSupport

/// Publishing and its clean-up touch only what footprint made (issue #14, items 8 and 12).
@Suite struct ReportSetTests {
    /// Publishes files given whole (the report writer hands each file's rows as they come).
    static func publish(_ files: [(name: String, contents: String)], to out: String) throws {
        try ReportSet.publish(files.map(\.name), to: out) { name, file in
            try file.write(files.first { $0.name == name }!.contents)
        }
    }

    static func sets(_ folder: TestFolder) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.file(".reports.sets"))) ?? []).sorted()
    }

    /// A killed report leaves a partial set newer than the last complete one. The old
    /// clean-up kept the newest two by age: the partial one survived as "previous" and
    /// the last complete set, the one readers had, was deleted.
    @Test func aKilledRunsPartialSetGoesAndTheLastCompleteOneStays() throws {
        let folder = try TestFolder()
        let out = folder.file("reports")
        try Self.publish([("a.csv", "first\n")], to: out)
        let first = try FileManager.default.destinationOfSymbolicLink(atPath: out)
        // A run killed while writing: a marked set with half of its files, newer than the first.
        Thread.sleep(forTimeInterval: 1.1)
        let partial = folder.file(".reports.sets/20990101T000000Z-1-1")
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: false)
        try folder.write(".reports.sets/20990101T000000Z-1-1/" + ReportSet.marker, "")
        try folder.write(".reports.sets/20990101T000000Z-1-1/a.csv", "half")
        // Something footprint did not make: never removed.
        try folder.write(".reports.sets/notes/readme.txt", "mine")
        try Self.publish([("a.csv", "second\n")], to: out)
        let second = try FileManager.default.destinationOfSymbolicLink(atPath: out)
        #expect(Self.sets(folder) == [String(first.dropFirst(".reports.sets/".count)),
                                      String(second.dropFirst(".reports.sets/".count)), "notes"].sorted())
        #expect(try String(contentsOfFile: folder.file(first) + "/a.csv", encoding: .utf8) == "first\n")
        #expect(try String(contentsOfFile: out + "/a.csv", encoding: .utf8) == "second\n")
        // The third publish removes the first set (a marked set that is neither new nor previous).
        try Self.publish([("a.csv", "third\n")], to: out)
        #expect(!FileManager.default.fileExists(atPath: folder.file(first)))
        #expect(Self.sets(folder).count == 3)
        #expect(FileManager.default.fileExists(atPath: folder.file(".reports.sets/notes/readme.txt")))
    }

    /// A link planted inside a marked set is removed, never followed.
    @Test func theCleanUpUnlinksLinksWithoutFollowingThem() throws {
        let folder = try TestFolder()
        let out = folder.file("reports")
        try folder.write("victim/keep.txt", "keep")
        try Self.publish([("a.csv", "1\n")], to: out)
        let first = try FileManager.default.destinationOfSymbolicLink(atPath: out)
        #expect(symlink(folder.file("victim/keep.txt"), folder.file(first) + "/b.csv") == 0)
        #expect(symlink(folder.file("victim"), folder.file(first) + "/dir") == 0)
        try Self.publish([("a.csv", "2\n")], to: out)
        try Self.publish([("a.csv", "3\n")], to: out)
        #expect(!FileManager.default.fileExists(atPath: folder.file(first)))
        #expect(try String(contentsOfFile: folder.file("victim/keep.txt"), encoding: .utf8) == "keep")
    }

    /// The temporary file used to be `.NAME.tmp-PID`, opened with O_CREAT|O_TRUNC: a link
    /// planted at that name redirected the write into its target.
    @Test func aPlantedTemporaryLinkDoesNotRedirectTheWrite() throws {
        let folder = try TestFolder()
        try folder.write("victim.txt", "untouched")
        #expect(symlink(folder.file("victim.txt"), folder.file(".review.html.tmp-\(getpid())")) == 0)
        try AtomicFile.write("<!DOCTYPE html>new", to: folder.file("review.html"))
        #expect(try String(contentsOfFile: folder.file("victim.txt"), encoding: .utf8) == "untouched")
        #expect(try String(contentsOfFile: folder.file("review.html"), encoding: .utf8) == "<!DOCTYPE html>new")
    }

    @Test func outTargetsThatWouldLoseSomething() throws {
        let folder = try TestFolder()
        try folder.write("file.txt", "x")
        try folder.write("full/a", "x")
        try FileManager.default.createDirectory(atPath: folder.file("empty"), withIntermediateDirectories: true)
        #expect(throws: ReportSet.OutputTargetError.self) { try ReportSet.checkTarget(folder.file("file.txt")) }
        #expect(throws: ReportSet.OutputTargetError.self) { try ReportSet.checkTarget(folder.file("full")) }
        #expect(throws: ReportSet.OutputTargetError.self) { try ReportSet.checkTarget(folder.file("full/")) }
        #expect(throws: ReportSet.OutputTargetError.self) { try ReportSet.checkTarget(".") }
        try ReportSet.checkTarget(folder.file("empty"))
        try ReportSet.checkTarget(folder.file("new"))
        #expect(ReportSet.normalized("rep//") == "rep")
        #expect(ReportSet.setName(ofLink: ".rep.sets/x", outName: "rep") == "x")
        #expect(ReportSet.setName(ofLink: ".rep.sets/../x", outName: "rep") == nil)
        #expect(ReportSet.setName(ofLink: ".other.sets/x", outName: "rep") == nil)
    }
}
