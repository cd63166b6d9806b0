import Testing
@testable import FootprintOutput

@Suite struct CSVEncoderTests {
    @Test(arguments: [
        ("=HYPERLINK(\"http://evil.example\",\"click\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "\"'\r=1\""),
        ("plain, with comma", "\"plain, with comma\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("", ""),
        ("São Paulo", "São Paulo"),
    ])
    func textCellsThatASpreadsheetWouldRunAreNeutralised(text: String, field: String) {
        #expect(CSVEncoder.field(.text(text)) == field)
    }

    @Test func numbersStayNumbersNegativeOnesIncluded() {
        #expect(CSVEncoder.field(.integer(-42)) == "-42")
        #expect(CSVEncoder.field(.decimal(-0.16666, places: 4)) == "-0.1667")
        #expect(CSVEncoder.field(.decimal(0.25, places: 4)) == "0.25")
        #expect(CSVEncoder.field(.decimal(1800.0, places: 1)) == "1800")
        #expect(CSVEncoder.field(.decimal(-0.00001, places: 4)) == "0")
        #expect(CSVEncoder.field(.decimal(.nan, places: 4)) == "")
        #expect(CSVEncoder.field(.empty) == "")
    }

    @Test func tablesUseCRLFAndOptionalBOM() {
        let table = CSVTable(name: "t", columns: ["a", "b"], rows: [[.text("x"), .integer(1)]])
        #expect(CSVEncoder.encode(table) == "a,b\r\nx,1\r\n")
        #expect(CSVEncoder.encode(table, byteOrderMark: true) == "\u{FEFF}a,b\r\nx,1\r\n")
    }
}
