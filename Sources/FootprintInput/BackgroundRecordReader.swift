/// Runs another reader on its own thread and hands its records out in order, in
/// batches, so that splitting rows (CSV, JSON parsing) overlaps with mapping them.
///
/// Why: with the loader made cheaper, the staging thread became the slowest of the
/// pipeline (85 % busy against the loader's 73 %, scripts/bench), and a fifth of its
/// time was splitting rows, while the gunzip thread idles four fifths of the time.
/// The records keep their lines and raw text, so rejects read the same as with the
/// reader used directly.
public final class BackgroundRecordReader: RecordReader {
    private let batches: BackgroundBatches<Producer>

    /// Starts reading `reader` at once; nothing else may use it afterwards.
    public init(_ reader: RecordReader, batchSize: Int = 1024, depth: Int = 4) {
        batches = BackgroundBatches(Producer(reader), batchSize: batchSize, depth: depth)
    }

    public func next() -> RecordReadResult? { batches.next() }

    public var bytesConsumed: Int { batches.bytesConsumed }

    private final class Producer: BatchProducer {
        let reader: RecordReader
        init(_ reader: RecordReader) { self.reader = reader }
        func next() -> RecordReadResult? { reader.next() }
        var bytesConsumed: Int { reader.bytesConsumed }
    }
}
