import Foundation

/// Anything that hands out staged rows one by one (a file reader, or the background
/// stager below).
public protocol StagedRowSource: AnyObject {
    func next() -> StagedRow?
    /// Decompressed bytes read so far, for progress displays.
    var bytesConsumed: Int { get }
}

extension StagedFileReader: StagedRowSource {}

/// Runs a file's parsing, mapping and normalising on its own thread, in batches, a few
/// batches ahead of the loader, so staging and loading use both cores. Memory stays
/// bounded: at most `depth` batches wait in the queue.
public final class BackgroundStager: StagedRowSource, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(rows: [StagedRow], bytes: Int)] = []
    private var finished = false
    private var cancelled = false
    private let depth: Int
    private var current: [StagedRow] = []
    private var index = 0
    public private(set) var bytesConsumed = 0

    public init(reader: StagedFileReader, batchSize: Int = 2048, depth: Int = 8) {
        self.depth = depth
        let box = ReaderBox(reader)
        let thread = Thread { [self] in
            while true {
                var batch: [StagedRow] = []
                batch.reserveCapacity(batchSize)
                while batch.count < batchSize, let row = box.reader.next() { batch.append(row) }
                let done = batch.count < batchSize
                condition.lock()
                while queue.count >= self.depth && !cancelled { condition.wait() }
                if cancelled { condition.unlock(); return }
                if !batch.isEmpty { queue.append((batch, box.reader.bytesConsumed)) }
                if done { finished = true }
                condition.broadcast()
                condition.unlock()
                if done { return }
            }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }

    deinit { cancel() }

    /// Stops the staging thread (the load was abandoned).
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    public func next() -> StagedRow? {
        if index < current.count {
            defer { index += 1 }
            return current[index]
        }
        condition.lock()
        while queue.isEmpty && !finished { condition.wait() }
        if queue.isEmpty {
            condition.unlock()
            return nil
        }
        let batch = queue.removeFirst()
        condition.broadcast()
        condition.unlock()
        current = batch.rows
        bytesConsumed = batch.bytes
        index = 1
        return current[0]
    }
}

/// Owns the reader; only the staging thread touches it after start.
private final class ReaderBox: @unchecked Sendable {
    let reader: StagedFileReader
    init(_ reader: StagedFileReader) { self.reader = reader }
}
