/// Runs an upstream source (typically file read + gunzip) on its own thread, a few
/// chunks ahead of the consumer, so decompression uses another core than parsing and
/// loading. At most `depth` chunks wait in memory.
public final class PrefetchingChunkSource: ByteChunkSource {
    private let queue: HandoffQueue<Result<[UInt8], Error>>
    private var done = false

    public init<Upstream: ByteChunkSource>(upstream: Upstream, depth: Int = 4) {
        queue = HandoffQueue(capacity: depth)
        let box = UpstreamBox(upstream)
        queue.startProducer { queue in
            while true {
                do {
                    guard let chunk = try box.source.nextChunk() else { return }
                    if !queue.put(.success(chunk)) { return }
                } catch {
                    queue.put(.failure(error))
                    return
                }
            }
        }
    }

    deinit { queue.cancel() }

    /// Stops the producer thread early (the consumer gave up on the file).
    public func cancel() { queue.cancel() }

    public func nextChunk() throws -> [UInt8]? {
        if done { return nil }
        switch queue.take() {
        case nil:
            done = true
            return nil
        case .success(let chunk)?:
            return chunk
        case .failure(let error)?:
            done = true
            throw error
        }
    }
}

/// Owns the upstream source; only the producer thread touches it after start.
private final class UpstreamBox: @unchecked Sendable {
    var source: any ByteChunkSource
    init(_ source: any ByteChunkSource) { self.source = source }
}
