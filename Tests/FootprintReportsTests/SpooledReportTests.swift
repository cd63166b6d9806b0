import Foundation
import Testing
import FootprintOutput
import FootprintTestSupport
@testable import FootprintReports

/// Report files are written from rows spooled to a temporary file (SpooledReport), a
/// period at a time. Three periods of 2,000 rows each, 240 KB in all, so that the
/// spool's 64 KB buffer is written out inside periods: each period's text must be
/// exactly its own lines, and copying the periods must give the whole file.
@Suite struct SpooledReportTests {
    static func rows(_ period: String) -> [[CSVTable.Cell]] {
        (0..<2000).map { n in [.text(period), .text("item, \(n)"), .integer(Int64(n)), .decimal(Double(n) / 3, places: 4)] }
    }

    @Test func eachPeriodIsItsOwnLinesAcrossBufferWrites() throws {
        let spool = try SpooledReport(whole: false)
        spool.start(name: "test", columns: ["period", "item", "n", "share"])
        let labels = ["2024-04", "2024-05", "2024-06"]
        for label in labels { for row in Self.rows(label) { try spool.add(row) } }
        #expect(spool.header == "period,item,n,share\r\n")
        #expect(spool.periods.map(\.label) == labels)
        var whole = spool.header
        for (period, label) in zip(spool.periods, labels) {
            let expected = Self.rows(label).map(CSVEncoder.line).joined()
            #expect(try spool.text(of: period) == expected)
            whole += expected
        }
        #expect(whole.utf8.count > 3 * 65_536)
        let folder = try TestFolder()
        let path = folder.file("test.csv")
        try AtomicFile.write(to: path) { out in
            try out.write(spool.header)
            for period in spool.periods { try spool.copy(period, to: out) }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == whole)
    }

    /// A report without periods (propagation.csv) is one period "", whatever its first
    /// column holds.
    @Test func aWholeReportIsOnePeriod() throws {
        let spool = try SpooledReport(whole: true)
        spool.start(name: "whole", columns: ["url", "views"])
        try spool.add([.text("https://a.example/"), .integer(2)])
        try spool.add([.text("https://b.example/"), .integer(1)])
        #expect(spool.periods.count == 1)
        #expect(spool.periods[0].label == "")
        #expect(try spool.text(of: spool.periods[0]) == "https://a.example/,2\r\nhttps://b.example/,1\r\n")
    }
}
