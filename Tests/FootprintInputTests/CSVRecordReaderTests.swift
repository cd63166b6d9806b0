import Testing
@testable import FootprintInput
import FootprintTestSupport

/// Reads all results from CSV text, optionally in tiny chunks to cross every boundary.
func readCSV(_ text: String, chunkSize: Int = 1 << 20) -> (header: [String], results: [RecordReadResult]) {
    readCSV(Array(text.utf8), chunkSize: chunkSize)
}

func readCSV(_ bytes: [UInt8], chunkSize: Int = 1 << 20) -> (header: [String], results: [RecordReadResult]) {
    let reader = CSVRecordReader(source: InputOpener.open(bytes: bytes, chunkSize: chunkSize))
    var results: [RecordReadResult] = []
    while let next = reader.next() { results.append(next) }
    return (reader.header, results)
}

@Suite struct CSVRecordReaderTests {
    @Test func quotedFieldsHoldCommasQuotesAndNewlines() {
        let text = "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\nplain,2,3\n"
        for chunk in [1, 2, 3, 7, 1 << 20] {
            let (header, results) = readCSV(text, chunkSize: chunk)
            #expect(header == ["a", "b", "c"])
            #expect(results == [
                .record(line: 2, .csv(["x, y", "say \"hi\"", "line1\nline2"])),
                .record(line: 4, .csv(["plain", "2", "3"])),
            ], "chunk size \(chunk)")
        }
    }

    @Test func byteOrderMarkAndCRLFAreHandled() {
        let (header, results) = readCSV([0xEF, 0xBB, 0xBF] + Array("id,name\r\n1,\"A\r\nB\"\r\n2,C\r\n".utf8))
        #expect(header == ["id", "name"])
        #expect(results == [.record(line: 2, .csv(["1", "A\r\nB"])), .record(line: 4, .csv(["2", "C"]))])
    }

    @Test func lastRowWithoutNewlineAndBlankLines() {
        let (_, results) = readCSV("a,b\n\n1,2\n\n3,4")
        #expect(results == [.record(line: 3, .csv(["1", "2"])), .record(line: 5, .csv(["3", "4"]))])
    }

    /// 9 MB of gzip held 2 GB of line feeds and cost 143 s of CPU, one parsed row per
    /// line feed. Runs of blank lines are skipped in one loop, keep their line numbers,
    /// and count toward a bound past which the file stops with one reject.
    @Test func blankLinesKeepLineNumbersAndCountTowardTheLimit() {
        let text = "a,b\n1,2\n" + String(repeating: "\n", count: 5) + String(repeating: "\r\n", count: 5) + "3,4\n\n"
        for chunk in [1, 2, 3, 1 << 20] {
            let (_, results) = readCSV(text, chunkSize: chunk)
            #expect(results == [.record(line: 2, .csv(["1", "2"])), .record(line: 13, .csv(["3", "4"]))], "chunk size \(chunk)")
            let reader = CSVRecordReader(source: InputOpener.open(bytes: Array(text.utf8), chunkSize: chunk), maxBlankLines: 7)
            var limited: [RecordReadResult] = []
            while let next = reader.next() { limited.append(next) }
            #expect(limited == [.record(line: 2, .csv(["1", "2"])),
                                .malformed(line: 10, reason: "more than 7 blank lines; the rest of the file was not read — raise [limits] max_rows_per_file if this is expected", raw: "")],
                    "chunk size \(chunk)")
        }
        let jsonl = "{\"a\":1}\n" + String(repeating: "\n", count: 4) + "  \n" + String(repeating: "\r\n", count: 4) + "{\"a\":2}\n"
        for chunk in [1, 3, 1 << 20] {
            let reader = JSONLRecordReader(source: InputOpener.open(bytes: Array(jsonl.utf8), chunkSize: chunk))
            var results: [RecordReadResult] = []
            while let next = reader.next() { results.append(next) }
            #expect(results == [.record(line: 1, .json(.object(["a": .number("1")]))), .record(line: 11, .json(.object(["a": .number("2")])))])
            let limited = JSONLRecordReader(source: InputOpener.open(bytes: Array(jsonl.utf8), chunkSize: chunk), maxBlankLines: 6)
            var cut: [RecordReadResult] = []
            while let next = limited.next() { cut.append(next) }
            #expect(cut.count == 2)
            #expect(cut.last == .malformed(line: 8, reason: "more than 6 blank lines; the rest of the file was not read — raise [limits] max_rows_per_file if this is expected", raw: ""))
        }
    }

    @Test func raggedRowsAreRejectedWithTheirLineAndReadingGoesOn() {
        let (_, results) = readCSV("a,b,c\n1,2\n1,2,3,4\n5,6,7\n")
        #expect(results == [
            .malformed(line: 2, reason: "row has 2 fields, the header has 3", raw: "1,2"),
            .malformed(line: 3, reason: "row has 4 fields, the header has 3", raw: "1,2,3,4"),
            .record(line: 4, .csv(["5", "6", "7"])),
        ])
    }

    @Test func strayQuoteInUnquotedFieldIsRejected() {
        let (_, results) = readCSV("a,b\nab\"c,d\nok,fine\n")
        #expect(results.count == 2)
        guard case .malformed(let line, let reason, _) = results[0] else { Issue.record("expected a reject"); return }
        #expect(line == 2)
        #expect(reason == "field 1 has a quote but does not start with one")
        #expect(results[1] == .record(line: 3, .csv(["ok", "fine"])))
    }

    @Test func unterminatedQuoteAtEndOfFileIsOneReject() {
        let (_, results) = readCSV("a,b\n1,2\n3,\"never closed\n4,5\n")
        #expect(results.count == 2)
        #expect(results[0] == .record(line: 2, .csv(["1", "2"])))
        guard case .malformed(let line, let reason, _) = results[1] else { Issue.record("expected a reject"); return }
        #expect(line == 3)
        #expect(reason.contains("opened on line 3 is never closed"))
    }

    @Test func invalidUTF8IsRejectedNotRepaired() {
        let bytes = Array("a,b\n".utf8) + [0x31, 0x2C, 0xFF, 0xFE, 0x0A] + Array("2,ok\n".utf8)
        let (_, results) = readCSV(bytes)
        guard case .malformed(2, let reason, _) = results[0] else { Issue.record("expected a reject on line 2"); return }
        #expect(reason.contains("not valid UTF-8"))
        #expect(results[1] == .record(line: 3, .csv(["2", "ok"])))
    }

    /// Rows that lie inside one chunk are split in one pass; rows that cross chunks are
    /// gathered first and split after. Both must read every text alike, however odd:
    /// random texts of quotes, commas, CR, LF, NUL and invalid UTF-8 are read whole and
    /// in chunks of 1 (every row gathered), 5 and 13 bytes, and must give equal results.
    @Test func rowsReadInPlaceAndGatheredAcrossChunksAgree() {
        var random = SeededGenerator(seed: 42)
        let alphabet: [[UInt8]] = [[0x61], [0x62], [0x2C], [0x2C], [0x22], [0x22], [0x22, 0x22], [0x0A], [0x0D, 0x0A],
                                   [0x0D], [0x00], [0xFF], [0xC3, 0xA9], Array("long text ".utf8)]
        var differing = 0
        var rowsSeen = 0
        for _ in 0..<400 {
            var bytes = Array("a,b,c\n".utf8)
            for _ in 0..<Int(random.next() % 60) { bytes += alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let whole = readCSV(bytes)
            rowsSeen += whole.results.count
            for chunk in [1, 5, 13] where readCSV(bytes, chunkSize: chunk).results != whole.results { differing += 1 }
        }
        #expect(differing == 0)
        #expect(rowsSeen > 800)  // the texts did hold rows, not just headers
    }

    @Test func quotedFieldEdgesGiveTheSameFieldsInEveryChunking() {
        // A doubled quote split by a chunk end, text after a closing quote before CRLF,
        // an empty quoted field, and a trailing comma.
        let text = "a,b,c\r\n\"x\"\"\",\"q\"tail\r\n\"\",,\r\n"
        for chunk in [1, 2, 3, 4, 1 << 20] {
            let (_, results) = readCSV(text, chunkSize: chunk)
            #expect(results.count == 2, "chunk size \(chunk)")
            guard results.count == 2 else { continue }
            #expect(results[0] == .malformed(line: 2, reason: "field 2 has text after its closing quote", raw: "\"x\"\"\",qtail"), "chunk size \(chunk)")
            #expect(results[1] == .record(line: 3, .csv(["", "", ""])), "chunk size \(chunk)")
        }
    }
}

@Suite struct CSVRowTests {
    /// Fields go in as text and come out the same, as text and as bytes: empty fields
    /// (first, middle, last), non-ASCII, a quote and a line break inside a field.
    @Test func fieldsRoundTripAsTextAndBytes() {
        let fields = ["", "plain", "", "Zürich 東京", "say \"hi\"\nbye", ""]
        let row = CSVRow(fields)
        #expect(row.count == 6)
        #expect(row.fields == fields)
        for (index, field) in fields.enumerated() {
            #expect(row[index] == field)
            #expect(row.withField(index) { Array($0) } == Array(field.utf8))
        }
        #expect(row == ["", "plain", "", "Zürich 東京", "say \"hi\"\nbye", ""])
        #expect(row != CSVRow(["", "plain", "", "Zürich 東京", "say \"hi\"\nbye"]))  // a field fewer
        #expect(CSVRow(["ab", "c"]) != CSVRow(["a", "bc"]))                          // same bytes, other split
    }
}
