/// Something that makes items one at a time on a thread of its own (BackgroundBatches):
/// a record reader, a staged file reader.
public protocol BatchProducer: AnyObject {
    associatedtype Item
    /// The next item; nil at the end.
    func next() -> Item?
    /// Bytes consumed so far, for progress displays.
    var bytesConsumed: Int { get }
}

/// The items of a `BatchProducer`, made on a thread of its own and handed out in order,
/// in batches, a few batches ahead of the consumer; at most `depth` batches wait in
/// memory, and at most `maxQueuedBytes` of input behind them.
///
/// Batches are cut by input bytes as well as by count (`maxBatchBytes`, measured by the
/// producer's `bytesConsumed`): counted in rows alone, 1,024 rows just under
/// `max_record_bytes` (32 MiB) made one batch, and a few such batches in flight took
/// gigabytes. A single item larger than the limits still passes, alone.
///
/// The pipeline's stages overlap through this: gunzip, splitting rows
/// (BackgroundRecordReader), mapping them (BackgroundStager) and loading each run on
/// their own thread. Batches the consumer is done with go back to the making thread to
/// be freed: their buffers were allocated there, and freeing them on the consumer's
/// thread took locks on the maker's allocator arena (seen in profiles as mutex and
/// free time).
///
/// Generic over the producer, and inlinable, so that each client specializes it and
/// calls the producer directly: through a closure (or generic witnesses across the
/// module boundary) every staged row was copied twice more, and the staging thread
/// ran 8 % more instructions (callgrind, 100,000 rows).
public final class BackgroundBatches<Producer: BatchProducer> {
    public typealias Item = Producer.Item
    @usableFromInline typealias Batch = (items: [Item], progress: Int)
    @usableFromInline let queue: HandoffQueue<Batch>
    @usableFromInline let spent = HandoffQueue<[Item]>(capacity: 64)
    @usableFromInline var current: [Item] = []
    @usableFromInline var position = 0
    /// The producer's bytesConsumed as of the batch being handed out.
    public var bytesConsumed: Int { bytesOfBatch }
    @usableFromInline var bytesOfBatch = 0

    /// Starts making at once; only the making thread uses `producer` from then on.
    /// Deeply nested JSON is parsed recursively, hence the large stack.
    @inlinable public init(_ producer: Producer, batchSize: Int, depth: Int, stackSize: Int = 4 << 20,
                           maxBatchBytes: Int = 4 << 20, maxQueuedBytes: Int = 16 << 20) {
        queue = HandoffQueue(capacity: depth, maxWeight: maxQueuedBytes)
        let spent = self.spent
        nonisolated(unsafe) let producer = producer
        queue.startProducer(stackSize: stackSize) { queue in
            while true {
                while spent.poll() != nil {}
                var batch: [Item] = []
                batch.reserveCapacity(batchSize)
                let start = producer.bytesConsumed
                var ended = false
                while batch.count < batchSize && producer.bytesConsumed - start < maxBatchBytes {
                    guard let item = producer.next() else { ended = true; break }
                    batch.append(item)
                }
                let end = producer.bytesConsumed
                if !batch.isEmpty && !queue.put((batch, end), weight: end - start) { return }
                if ended { return }
            }
        }
    }

    deinit { cancel() }

    /// Stops the making thread (the consumer is done early).
    public func cancel() {
        queue.cancel()
        spent.cancel()
    }

    /// Lends the next item to `body`; false when there are no more.
    @inlinable public func withNext(_ body: (Item) throws -> Void) rethrows -> Bool {
        guard advance() else { return false }
        try body(current[position - 1])
        return true
    }

    /// The next item; nil when there are no more.
    @inlinable public func next() -> Item? {
        advance() ? current[position - 1] : nil
    }

    @inlinable func advance() -> Bool {
        if position == current.count {
            if !current.isEmpty { spent.put(current) }
            current = []
            position = 0
            guard let batch = queue.take() else { return false }
            current = batch.items
            bytesOfBatch = batch.progress
        }
        position += 1
        return true
    }
}
