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
    /// a full queue: the thread lets go of the wrapped reader, and so of its source
    /// (endless here), which it would hold for good if it were still blocked.
    @Test func droppingItEarlyStopsTheReadingThread() throws {
        final class EndlessSource: ByteChunkSource, @unchecked Sendable {
            let released: NSCondition
            var first = true
            init(released: NSCondition) { self.released = released }
            deinit { released.lock(); released.broadcast(); released.unlock() }
            func nextChunk() throws -> [UInt8]? {
                defer { first = false }
                return first ? Array("a\n".utf8) : Array(repeating: UInt8(ascii: "1"), count: 63) + [0x0A]
            }
        }
        let condition = NSCondition()
        weak var watched: EndlessSource?
        // The source is held only by the reader from here on.
        func startAndDrop() {
            let source = EndlessSource(released: condition)
            watched = source
            let reader = BackgroundRecordReader(CSVRecordReader(source: source))
            #expect(reader.next() != nil)
        }
        startAndDrop()
        condition.lock()
        let deadline = Date().addingTimeInterval(5)
        while watched != nil && Date() < deadline { _ = condition.wait(until: deadline) }
        condition.unlock()
        #expect(watched == nil, "the reading thread still holds the reader 5 s after it was dropped")
    }

    /// Rows just under `max_record_bytes` used to be batched 1,024 at a time with four
    /// batches waiting: 150 rows of 30 MiB peaked at 4.7 GB. Batches are cut at 4 MiB
    /// of input and the queue holds 16 MiB, so a producer of 1 MiB items runs at most
    /// 24 items ahead (4 handed out + 16 queued + 4 in the batch waiting to be queued),
    /// not thousands.
    @Test func batchesAreBoundedByBytesNotOnlyRows() throws {
        final class HeavyProducer: BatchProducer {
            let lock = NSLock()
            private var count = 0
            var made: Int { lock.lock(); defer { lock.unlock() }; return count }
            func next() -> Int? {
                lock.lock(); defer { lock.unlock() }
                guard count < 10_000 else { return nil }
                count += 1
                return count
            }
            var bytesConsumed: Int { lock.lock(); defer { lock.unlock() }; return count << 20 }
        }
        let producer = HeavyProducer()
        let batches = BackgroundBatches(producer, batchSize: 1024, depth: 4)
        #expect(batches.next() == 1)
        var last = -1
        while producer.made != last { last = producer.made; Thread.sleep(forTimeInterval: 0.2) }
        #expect(producer.made == 24)
        // Everything still arrives, in order.
        var expected = 2
        while let item = batches.next() { #expect(item == expected); expected += 1 }
        #expect(expected == 10_001)
    }

    /// One item heavier than every limit still passes, alone.
    @Test func anItemHeavierThanTheLimitsPassesAlone() {
        let queue = HandoffQueue<Int>(capacity: 4, maxWeight: 10)
        #expect(queue.put(1, weight: 50))
        #expect(queue.poll() == 1)
        #expect(queue.put(2, weight: 6))
        #expect(queue.put(3, weight: 4))
        queue.finish()
        #expect(queue.take() == 2 && queue.take() == 3 && queue.take() == nil)
    }
}
