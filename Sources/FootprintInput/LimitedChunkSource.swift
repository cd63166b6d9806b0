/// Stops a stream that inflates past a limit — a gzip "bomb", or an export far larger
/// than expected — with an error instead of reading on for hours. Memory is flat either
/// way; this bounds time and disk.
public struct LimitedChunkSource: ByteChunkSource {
    private var upstream: any ByteChunkSource
    private let limit: Int
    private var delivered = 0

    public init(upstream: any ByteChunkSource, limit: Int) {
        self.upstream = upstream
        self.limit = limit
    }

    public mutating func nextChunk() throws -> [UInt8]? {
        guard let chunk = try upstream.nextChunk() else { return nil }
        delivered += chunk.count
        if delivered > limit { throw InputError.tooLarge(limit: limit) }
        return chunk
    }
}
