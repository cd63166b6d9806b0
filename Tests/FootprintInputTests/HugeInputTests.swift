import Foundation
import Testing
@testable import FootprintInput

/// A source that makes a huge line on the fly: never in memory, never on disk.
struct GeneratedLineSource: ByteChunkSource {
    let prefix: [UInt8]
    let filler: UInt8
    let lineBytes: Int
    let suffix: [UInt8]
    var produced = 0
    var stage = 0

    mutating func nextChunk() throws -> [UInt8]? {
        switch stage {
        case 0: stage = 1; return prefix
        case 1:
            if produced >= lineBytes { stage = 2; return suffix }
            let size = min(1 << 20, lineBytes - produced)
            produced += size
            return [UInt8](repeating: filler, count: size)
        default: return nil
        }
    }
}

func peakResidentMB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss / 1024)
}

@Suite struct HugeInputTests {
    static let gigabyte = 1 << 30

    @Test func aOneGigabyteCSVLineIsOneRejectWithFlatMemory() {
        let before = peakResidentMB()
        let source = GeneratedLineSource(prefix: Array("a,b\n1,2\n3,".utf8), filler: UInt8(ascii: "x"),
                                         lineBytes: Self.gigabyte, suffix: Array("\n4,5\n".utf8))
        let reader = CSVRecordReader(source: source)
        var results: [RecordReadResult] = []
        while let next = reader.next() { results.append(next) }
        #expect(results.count == 3)
        #expect(results.first == .record(line: 2, .csv(["1", "2"])))
        if case .malformed(let line, let reason, _) = results[1] {
            #expect(line == 3)
            #expect(reason.hasPrefix("row is longer than 33554432 bytes"))
        } else { Issue.record("the huge row should be one reject") }
        #expect(results.last == .record(line: 4, .csv(["4", "5"])))
        #expect(peakResidentMB() - before < 200, "memory grew by \(peakResidentMB() - before) MB")
    }

    @Test func aOneGigabyteJSONLineIsOneRejectWithFlatMemory() {
        let before = peakResidentMB()
        let source = GeneratedLineSource(prefix: Array("{\"a\":1}\n{\"text\":\"".utf8), filler: UInt8(ascii: "y"),
                                         lineBytes: Self.gigabyte, suffix: Array("\"}\n{\"a\":2}\n".utf8))
        let reader = JSONLRecordReader(source: source)
        var results: [RecordReadResult] = []
        while let next = reader.next() { results.append(next) }
        #expect(results.count == 3)
        if case .malformed(let line, let reason, _) = results[1] {
            #expect(line == 2)
            #expect(reason.hasPrefix("line is longer than 33554432 bytes"))
        } else { Issue.record("the huge line should be one reject") }
        #expect(results.last == .record(line: 3, .json(.object(["a": .number("2")]))))
        #expect(peakResidentMB() - before < 200, "memory grew by \(peakResidentMB() - before) MB")
    }
}
