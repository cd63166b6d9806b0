#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Anything that hands out a file's bytes a chunk at a time; `nil` means end of input.
/// Readers never see a whole file, so memory stays flat whatever its size.
public protocol ByteChunkSource {
    mutating func nextChunk() throws -> [UInt8]?
}

/// Reads a file with plain `read(2)` calls into fixed-size chunks.
public struct FileChunkSource: ByteChunkSource {
    public static let chunkSize = 1 << 20
    private let fd: Int32
    private let path: String
    private var finished = false
    /// Counts bytes read, for progress displays on another thread.
    private let meter: ByteMeter?

    public init(path: String, meter: ByteMeter? = nil) throws {
        self.meter = meter
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw InputError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        self.fd = fd
        self.path = path
    }

    public mutating func nextChunk() throws -> [UInt8]? {
        if finished { return nil }
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        var filled = 0
        while filled < chunk.count {
            let n = chunk.withUnsafeMutableBytes { buf in
                read(fd, buf.baseAddress! + filled, buf.count - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close()
                throw InputError.readFailed(path: path, reason: reason)
            }
            if n == 0 { break }
            filled += n
        }
        meter?.add(filled)
        if filled < chunk.count { close() }
        if filled == 0 { return nil }
        chunk.removeSubrange(filled...)
        return chunk
    }

    private mutating func close() {
        if !finished {
            finished = true
            _ = Glibc.close(fd)
        }
    }
}

/// A source over bytes already in memory (tests, small inputs).
public struct MemoryChunkSource: ByteChunkSource {
    private var chunks: [[UInt8]]
    public init(_ bytes: [UInt8], chunkSize: Int = 1 << 20) {
        var chunks: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + max(chunkSize, 1), bytes.count)
            chunks.append(Array(bytes[start..<end]))
            start = end
        }
        self.chunks = chunks.reversed()
    }
    public mutating func nextChunk() throws -> [UInt8]? { chunks.popLast() }
}

/// Drops a UTF-8 byte-order mark at the start of a stream (looking at three bytes even
/// when the first chunks are tiny) and counts the bytes handed on, for progress.
struct BOMSkippingSource: ByteChunkSource {
    private var upstream: any ByteChunkSource
    private var atStart = true
    private(set) var bytesHandedOn = 0

    init(_ upstream: any ByteChunkSource) { self.upstream = upstream }

    public mutating func nextChunk() throws -> [UInt8]? {
        guard var chunk = try upstream.nextChunk() else { return nil }
        if atStart {
            atStart = false
            while chunk.count < 3, let more = try upstream.nextChunk() { chunk += more }
            if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk.removeFirst(3) }
        }
        bytesHandedOn += chunk.count
        return chunk
    }
}

/// A source read to its end, for the byte-level readers: a read error (a truncated gzip
/// stream) ends the input and is kept, so that the reader can report it as damage after
/// the bytes that came before it.
struct ChunkFeed {
    private var source: BOMSkippingSource
    private(set) var atEnd = false
    var pendingError: Error?
    var bytesConsumed: Int { source.bytesHandedOn }

    init(_ source: any ByteChunkSource) { self.source = BOMSkippingSource(source) }

    /// The next chunk, or nil (and `atEnd` from then on) once the input ends or fails.
    mutating func next() -> [UInt8]? {
        if atEnd { return nil }
        do {
            if let chunk = try source.nextChunk() { return chunk }
        } catch {
            pendingError = error
        }
        atEnd = true
        return nil
    }
}
