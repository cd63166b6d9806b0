import FootprintInput

/// Runs a file's mapping and normalising on its own thread, in batches, a few batches
/// ahead of the loader, so staging and loading use both cores (see BackgroundBatches).
public final class BackgroundStager {
    private let batches: BackgroundBatches<StagedFileReader>

    public init(reader: StagedFileReader, batchSize: Int = 2048, depth: Int = 8) {
        batches = BackgroundBatches(reader, batchSize: batchSize, depth: depth)
    }

    /// Decompressed bytes staged so far, for progress displays.
    public var bytesConsumed: Int { batches.bytesConsumed }

    /// Stops the staging thread (the load was abandoned).
    public func cancel() { batches.cancel() }

    /// Lends the next row to `body`; false when there are no more rows.
    public func withNextRow(_ body: (StagedRow) throws -> Void) rethrows -> Bool {
        try batches.withNext(body)
    }
}

extension StagedFileReader: BatchProducer {}
