import Foundation
import Testing
@testable import FootprintInput

@Suite struct BackgroundRecordReaderTests {
    /// 5,000 rows (several batches of 1,024 and a part batch), with a ragged row and an
    /// invalid UTF-8 row among them: the same results, lines and reasons, in the same
    /// order, as reading the file directly; and every byte accounted for at the end.
    @Test func handsOutWhatTheReaderGivesInOrder() {
        var bytes = Array("id,name\n".utf8)
        for n in 0..<5_000 {
            if n == 1_500 { bytes += Array("ragged\n".utf8); continue }
            if n == 3_333 { bytes += Array("x,".utf8) + [0xFF, 0xFE] + Array("\n".utf8); continue }
            bytes += Array("\(n),\"name \(n)\"\n".utf8)
        }
        let direct = CSVRecordReader(source: InputOpener.open(bytes: bytes, chunkSize: 4096))
        var expected: [RecordReadResult] = []
        while let result = direct.next() { expected.append(result) }
        let background = BackgroundRecordReader(CSVRecordReader(source: InputOpener.open(bytes: bytes, chunkSize: 4096)))
        var got: [RecordReadResult] = []
        while let result = background.next() { got.append(result) }
        #expect(got.count == 5_000)
        #expect(got == expected)
        #expect(got.filter { if case .malformed = $0 { return true } else { return false } }.count == 2)
        #expect(background.next() == nil)
        #expect(background.bytesConsumed == direct.bytesConsumed)
        #expect(background.bytesConsumed == bytes.count)
    }

    /// A reader dropped before the end stops its thread instead of waiting forever with
    /// a full queue: the source stops being read soon after.
    @Test func droppingItEarlyStopsTheReadingThread() throws {
        final class CountingSource: ByteChunkSource, @unchecked Sendable {
            let lock = NSLock()
            var chunks = 0
            func nextChunk() throws -> [UInt8]? {
                lock.lock(); defer { lock.unlock() }
                chunks += 1
                return chunks == 1 ? Array("a\n".utf8) : Array(repeating: UInt8(ascii: "1"), count: 63) + [0x0A]
            }
            var read: Int { lock.lock(); defer { lock.unlock() }; return chunks }
        }
        let source = CountingSource()
        var reader: BackgroundRecordReader? = BackgroundRecordReader(CSVRecordReader(source: source))
        #expect(reader?.next() != nil)
        reader = nil
        Thread.sleep(forTimeInterval: 0.2)
        let settled = source.read
        Thread.sleep(forTimeInterval: 0.2)
        #expect(source.read == settled)       // no longer read: the thread has stopped
        #expect(settled < 1_000_000)          // an endless source, read only a bounded way
    }
}
