import Testing
@testable import FootprintWarehouse

/// COPY's text format as PostgreSQL reads it (its manual, "COPY … Text Format"): the
/// staged rows of every PostgreSQL load are written this way.
@Suite struct PGCopyTextTests {
    func line(_ row: [SQLValue]) -> String {
        var buffer: [UInt8] = []
        PGCopyText.append(row, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test(arguments: [Int64.min, Int64.min + 1, -1_000_000_007, -10, -9, -1, 0, 1, 9, 10, 99, 100,
                      1_704_067_200, 9_223_372_036_854_775_806, Int64.max])
    func integersAreTheirDecimalDigits(_ number: Int64) {
        #expect(line([.integer(number)]) == "\(number)\n")
    }

    @Test func columnsNullsAndEscapes() {
        #expect(line([.integer(7), .null, .text("plain https://acme.example/?a=1&b=2"), .real(0.5)])
                == "7\t\\N\tplain https://acme.example/?a=1&b=2\t0.5\n")
        #expect(line([.text("tab\there"), .text("back\\slash"), .text("new\nline\r"), .text("nul\u{0}"), .text("")])
                == "tab\\there\tback\\\\slash\tnew\\nline\\r\tnul\u{FFFD}\t\n")
        #expect(line([.text("Zürich, 東京")]) == "Zürich, 東京\n")
    }
}
