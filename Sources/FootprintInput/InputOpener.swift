/// Opens a file as a stream of decompressed bytes. Compression is recognised by the
/// gzip magic bytes (1f 8b), never by the file name.
public enum InputOpener {
    public static func open(path: String, prefetch: Bool = true, maxBytes: Int = .max,
                            meter: ByteMeter? = nil) throws -> any ByteChunkSource {
        var file = try FileChunkSource(path: path, meter: meter)
        let first = try file.nextChunk() ?? []
        let replay = ReplayingChunkSource(first: first, rest: file)
        var source: any ByteChunkSource = isGzip(first)
            ? GzipChunkSource(upstream: replay)
            : replay
        if maxBytes < .max { source = LimitedChunkSource(upstream: source, limit: maxBytes) }
        return prefetch ? PrefetchingChunkSource(upstream: source) : source
    }

    public static func open(bytes: [UInt8], chunkSize: Int = 1 << 20) -> any ByteChunkSource {
        let memory = MemoryChunkSource(bytes, chunkSize: chunkSize)
        return isGzip(bytes) ? GzipChunkSource(upstream: memory) : memory
    }

    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }
}

/// Hands back a chunk that was read ahead to sniff the format, then the rest.
struct ReplayingChunkSource<Rest: ByteChunkSource>: ByteChunkSource {
    var first: [UInt8]?
    var rest: Rest
    mutating func nextChunk() throws -> [UInt8]? {
        if let chunk = first {
            first = nil
            if !chunk.isEmpty { return chunk }
        }
        return try rest.nextChunk()
    }
}
