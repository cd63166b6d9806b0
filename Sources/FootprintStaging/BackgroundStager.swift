import FootprintInput

/// Runs a file's parsing, mapping and normalising on its own thread, in batches, a few
/// batches ahead of the loader, so staging and loading use both cores. At most `depth`
/// batches wait in memory.
public final class BackgroundStager {
    private typealias Batch = (rows: [StagedRow], bytes: Int)
    private let queue: HandoffQueue<Batch>
    /// The batch being handed out, last row first.
    private var current: [StagedRow] = []
    /// Decompressed bytes staged so far, for progress displays.
    public private(set) var bytesConsumed = 0

    public init(reader: StagedFileReader, batchSize: Int = 2048, depth: Int = 8) {
        queue = HandoffQueue(capacity: depth)
        let box = ReaderBox(reader)
        queue.startProducer(stackSize: 4 << 20) { queue in
            while true {
                var batch: [StagedRow] = []
                batch.reserveCapacity(batchSize)
                while batch.count < batchSize, let row = box.reader.next() { batch.append(row) }
                // Reversed, so the loader can pop rows off the end: moving a row out is
                // cheaper than copying it (each copy retains all its strings).
                batch.reverse()
                if !batch.isEmpty && !queue.put((batch, box.reader.bytesConsumed)) { return }
                if batch.count < batchSize { return }
            }
        }
    }

    deinit { queue.cancel() }

    /// Stops the staging thread (the load was abandoned).
    public func cancel() { queue.cancel() }

    public func next() -> StagedRow? {
        if let row = current.popLast() { return row }
        guard let batch = queue.take() else { return nil }
        current = batch.rows
        bytesConsumed = batch.bytes
        return current.popLast()
    }
}

/// Owns the reader; only the staging thread touches it after start.
private final class ReaderBox: @unchecked Sendable {
    let reader: StagedFileReader
    init(_ reader: StagedFileReader) { self.reader = reader }
}
