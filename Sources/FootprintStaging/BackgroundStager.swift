import FootprintInput

/// Runs a file's parsing, mapping and normalising on its own thread, in batches, a few
/// batches ahead of the loader, so staging and loading use both cores. At most `depth`
/// batches wait in memory.
public final class BackgroundStager {
    private typealias Batch = (rows: [StagedRow], bytes: Int)
    private let queue: HandoffQueue<Batch>
    /// Batches the loader is done with go back to the staging thread to be freed: their
    /// strings were allocated there, and freeing them on the loader's thread took locks
    /// on the staging thread's allocator arena (seen in profiles as mutex and free time).
    private let spent = HandoffQueue<[StagedRow]>(capacity: 64)
    /// The batch being handed out, in order, and the position of the next row.
    private var current: [StagedRow] = []
    private var position = 0
    /// Decompressed bytes staged so far, for progress displays.
    public private(set) var bytesConsumed = 0

    public init(reader: StagedFileReader, batchSize: Int = 2048, depth: Int = 8) {
        queue = HandoffQueue(capacity: depth)
        let box = ReaderBox(reader)
        let spent = self.spent
        queue.startProducer(stackSize: 4 << 20) { queue in
            while true {
                while spent.poll() != nil {}  // frees the batches the loader is done with
                var batch: [StagedRow] = []
                batch.reserveCapacity(batchSize)
                while batch.count < batchSize, let row = box.reader.next() { batch.append(row) }
                if !batch.isEmpty && !queue.put((batch, box.reader.bytesConsumed)) { return }
                if batch.count < batchSize { return }
            }
        }
    }

    deinit { queue.cancel() }

    /// Stops the staging thread (the load was abandoned).
    public func cancel() { queue.cancel() }

    /// Lends the next row to `body`; false when there are no more rows.
    public func withNextRow(_ body: (borrowing StagedRow) throws -> Void) rethrows -> Bool {
        if position == current.count {
            if !current.isEmpty { spent.put(current) }
            current = []
            position = 0
            guard let batch = queue.take() else { return false }
            current = batch.rows
            bytesConsumed = batch.bytes
        }
        position += 1
        try body(current[position - 1])
        return true
    }
}

/// Owns the reader; only the staging thread touches it after start.
private final class ReaderBox: @unchecked Sendable {
    let reader: StagedFileReader
    init(_ reader: StagedFileReader) { self.reader = reader }
}
