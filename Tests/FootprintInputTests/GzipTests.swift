import Foundation
import Testing
@testable import FootprintInput
import FootprintTestSupport

func gzip(_ text: String) throws -> [UInt8] { try systemGzip(text) }

@Suite struct GzipTests {
    @Test func detectsGzipByMagicBytesAndInflates() throws {
        let (header, results) = readCSV(try gzip("a,b\n1,2\n3,4\n"))
        #expect(header == ["a", "b"])
        #expect(results == [.record(line: 2, .csv(["1", "2"])), .record(line: 3, .csv(["3", "4"]))])
    }

    @Test func concatenatedMembersAreReadInOrder() throws {
        let bytes = try gzip("a,b\n1,2\n") + gzip("3,4\n") + gzip("5,6\n")
        for chunk in [5, 1 << 20] {
            let (_, results) = readCSV(bytes, chunkSize: chunk)
            #expect(results == [.record(line: 2, .csv(["1", "2"])), .record(line: 3, .csv(["3", "4"])),
                                .record(line: 4, .csv(["5", "6"]))])
        }
    }

    @Test func truncatedStreamDeliversRowsBeforeTheDamageThenOneReject() throws {
        var text = "id,value\n"
        for i in 1...2000 { text += "\(i),value number \(i) with some padding text\n" }
        let whole = try gzip(text)
        let cut = Array(whole.prefix(whole.count / 2))
        let (_, results) = readCSV(cut)
        let records = results.filter { if case .record = $0 { return true } else { return false } }
        let rejects = results.filter { if case .malformed = $0 { return true } else { return false } }
        #expect(records.count > 100)
        #expect(records.count < 2000)
        #expect(rejects.count == 1)
        if case .malformed(let line, let reason, _)? = rejects.first {
            #expect(line == records.count + 2) // the header is line 1
            #expect(reason.contains("ends early"))
        }
        // Every record delivered is a complete, correct row.
        for (index, result) in records.enumerated() {
            #expect(result == .record(line: index + 2, .csv(["\(index + 1)", "value number \(index + 1) with some padding text"])))
        }
    }

    @Test func corruptDataIsAnErrorNotACrash() throws {
        var bytes = try gzip(String(repeating: "a,b\n1,2\n", count: 500))
        for i in 20..<40 { bytes[i] ^= 0x5A }
        let (_, results) = readCSV(bytes)
        let reasons = results.compactMap { result -> String? in
            if case .malformed(_, let reason, _) = result { return reason } else { return nil }
        }
        // The damage surfaces as zlib's error (or, if it garbled bytes inflate accepted,
        // as the CRC mismatch at the end), never as silently accepted rows alone.
        #expect(reasons.contains { $0.hasPrefix("corrupt gzip data") })
    }
}
