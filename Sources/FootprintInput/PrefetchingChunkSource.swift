import Foundation

/// Runs an upstream source (typically file read + gunzip) on its own thread, a few
/// chunks ahead of the consumer, so decompression uses the second core while parsing
/// and loading use the first. At most `depth` chunks are buffered: memory stays bounded.
public final class PrefetchingChunkSource: ByteChunkSource, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Result<[UInt8]?, Error>] = []
    private var cancelled = false
    private let depth: Int
    private var done = false

    public init<Upstream: ByteChunkSource>(upstream: Upstream, depth: Int = 4) {
        self.depth = depth
        let box = UpstreamBox(upstream)
        let thread = Thread { [self] in
            while true {
                let item: Result<[UInt8]?, Error> = Result { try box.source.nextChunk() }
                condition.lock()
                while queue.count >= self.depth && !cancelled { condition.wait() }
                if cancelled { condition.unlock(); return }
                queue.append(item)
                condition.broadcast()
                condition.unlock()
                switch item {
                case .success(.some): continue
                default: return
                }
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { cancel() }

    /// Stops the producer thread early (the consumer gave up on the file).
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    public func nextChunk() throws -> [UInt8]? {
        if done { return nil }
        condition.lock()
        while queue.isEmpty { condition.wait() }
        let item = queue.removeFirst()
        condition.broadcast()
        condition.unlock()
        switch item {
        case .success(let chunk):
            if chunk == nil { done = true }
            return chunk
        case .failure(let error):
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
