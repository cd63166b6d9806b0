import Testing
@testable import FootprintInput

/// The JSON-array reader (Slack exports): elements are found by scanning, so commas and
/// brackets inside strings and nested values must not split them, whatever the chunking.
@Suite struct JSONArrayRecordReaderTests {
    func read(_ text: String, chunkSize: Int = 1 << 20, maxRecordBytes: Int = defaultMaxRecordBytes) -> [RecordReadResult] {
        let reader = JSONArrayRecordReader(source: MemoryChunkSource(Array(text.utf8), chunkSize: chunkSize),
                                           maxRecordBytes: maxRecordBytes)
        var results: [RecordReadResult] = []
        while let next = reader.next() { results.append(next) }
        return results
    }

    static let text = """
        \u{FEFF}[
          {"ts": "1.0", "text": "a, b ] c } \\" ,", "nested": {"list": [1, [2, 3], {"x": "]"}]}},
          {"ts": "2.0",
           "text": "line two"}
        ]

        """

    @Test(arguments: [1, 2, 7, 1 << 20])
    func elementsSplitOnlyAtTopLevelCommasWhateverTheChunking(chunkSize: Int) throws {
        let results = read(Self.text, chunkSize: chunkSize)
        #expect(results.count == 2)
        guard case .record(2, .json(let first)) = results[0], case .record(3, .json(let second)) = results[1] else {
            Issue.record("two records on lines 2 and 3, got \(results)"); return
        }
        #expect(first["text"] == .string("a, b ] c } \" ,"))
        guard case .array(let list)? = first["nested"]?["list"], list.count == 3 else { Issue.record("nested list"); return }
        #expect(list[2]["x"] == .string("]"))
        #expect(list[1] == .array([.number("2"), .number("3")]))
        #expect(second["text"] == .string("line two"))
    }

    @Test func aBadElementIsOneMalformedRecordAndReadingGoesOn() {
        let results = read("[{\"a\": 1}, {\"b\": tru}, 42, {\"c\": 3}]")
        #expect(results.count == 4)
        guard case .record(1, _) = results[0], case .malformed(1, _, let raw) = results[1],
              case .malformed(1, "array element is JSON but not an object", "42") = results[2],
              case .record(1, .json(let last)) = results[3] else { Issue.record("\(results)"); return }
        #expect(raw == "{\"b\": tru}")
        #expect(last["c"] == .number("3"))
    }

    @Test func aFileCutShortLoadsWhatCameBeforeAndSaysSo() {
        let results = read("[{\"a\": 1},\n {\"b\": \"unfinished")
        #expect(results.count == 2)
        guard case .record(1, _) = results[0],
              case .malformed(2, "the file ends inside an array element (cut short?)", _) = results[1] else {
            Issue.record("\(results)"); return
        }
        #expect(read("[{\"a\": 1}").last == .malformed(line: 1, reason: "JSON array is not closed with ']' (the file is cut short?)", raw: ""))
    }

    @Test func somethingElseThanAnArrayIsOneClearProblem() {
        #expect(read("{\"a\": 1}\n") == [.malformed(line: 1, reason: "file is not a JSON array (it should start with '['); use format = \"jsonl\" for one object per line", raw: "")])
        #expect(read("[]").isEmpty)
        #expect(read("  ").isEmpty)
        #expect(read("[{\"a\": 1}] x") .last == .malformed(line: 1, reason: "text after the end of the JSON array was not read", raw: ""))
    }

    @Test func anOversizedElementStopsTheFileWithAReason() {
        let results = read("[{\"a\": \"\(String(repeating: "x", count: 100))\"}, {\"b\": 1}]", chunkSize: 16, maxRecordBytes: 50)
        #expect(results.count == 1)
        guard case .malformed(1, let reason, "") = results[0] else { Issue.record("\(results)"); return }
        #expect(reason.hasPrefix("array element is longer than 50 bytes"))
    }

    struct BrokenStream: Error, CustomStringConvertible { var description: String { "gzip stream is truncated" } }

    /// Gives some bytes, then fails like a truncated gzip file.
    struct FailingSource: ByteChunkSource {
        var sent = false
        mutating func nextChunk() throws -> [UInt8]? {
            if sent { throw BrokenStream() }
            sent = true
            return Array("[{\"a\": 1},\n {\"b\": 2, \"c".utf8)
        }
    }

    @Test func aReadErrorLoadsWhatCameBeforeAndIsOneProblem() {
        let reader = JSONArrayRecordReader(source: FailingSource())
        var results: [RecordReadResult] = []
        while let next = reader.next() { results.append(next) }
        #expect(results.count == 2)
        guard case .record(1, _) = results.first, case .malformed(2, "gzip stream is truncated", _) = results.last else {
            Issue.record("\(results)"); return
        }
    }
}
