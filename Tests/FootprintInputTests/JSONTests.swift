import Testing
@testable import FootprintInput

@Suite struct JSONTests {
    @Test func parsesNestedValuesKeepingNumbersExact() throws {
        let value = try JSONParser.parse(Array(#"{"a": {"b": [1, 2.50, -3e2]}, "id": 1716543000123, "s": "x\"\u00e9\ud83d\ude00", "t": true, "n": null}"#.utf8))
        #expect(value["a"]?["b"] == .array([.number("1"), .number("2.50"), .number("-3e2")]))
        #expect(value["id"] == .number("1716543000123"))
        #expect(value["s"] == .string("x\"é😀"))
        #expect(value["t"] == .bool(true))
        #expect(value["n"] == .null)
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        #expect(try JSONParser.parse(Array(#"{"a":1,"a":2}"#.utf8))["a"] == .number("2"))
    }

    @Test(arguments: [
        (#"{"a":}"#, "unexpected character '}'"),
        (#"{"a":1"#, "unexpected end of line inside an object"),
        (#"{"a":01}"#, "leading zero in a number"),
        (#"{"a":"\ud800"}"#, "unpaired surrogate in \\u escape"),
        (#"{"a":1} x"#, "unexpected text after the value"),
    ])
    func rejectsInvalidJSONWithAReason(input: String, message: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(input.utf8)) }
        do { _ = try JSONParser.parse(Array(input.utf8)) } catch { #expect(error.message == message) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        do {
            _ = try JSONParser.parse(Array(deep.utf8))
            Issue.record("should have failed")
        } catch {
            #expect(error.message == "nested deeper than 256 levels")
        }
    }

    @Test func jsonlReaderSkipsBlankLinesAndRejectsNonObjects() {
        let text = "{\"a\":1}\n\n[1,2]\nnot json\r\n{\"a\":2}"
        let reader = JSONLRecordReader(source: InputOpener.open(bytes: Array(text.utf8), chunkSize: 3))
        var results: [RecordReadResult] = []
        while let next = reader.next() { results.append(next) }
        #expect(results.count == 4)
        #expect(results[0] == .record(line: 1, .json(.object(["a": .number("1")]))))
        if case .malformed(let line, let reason, let raw) = results[1] {
            #expect(line == 3)
            #expect(reason == "line is JSON but not an object (expected one {...} per line)")
            #expect(raw == "[1,2]")
        } else { Issue.record("line 3 should be rejected") }
        if case .malformed(let line, _, let raw) = results[2] {
            #expect(line == 4)
            #expect(raw == "not json")
        } else { Issue.record("line 4 should be rejected") }
        #expect(results[3] == .record(line: 5, .json(.object(["a": .number("2")]))))
    }
}
