import CZlib

/// Inflates a gzip stream chunk by chunk. Concatenated members (what `cat a.gz b.gz`
/// or `gzip` on appended logs produce) are read one after another, as gzip itself does.
/// A stream that stops inside a member throws `truncatedGzip` after delivering every byte
/// that could be inflated, so the rows before the damage still load.
public struct GzipChunkSource<Upstream: ByteChunkSource>: ByteChunkSource {
    private var upstream: Upstream
    private var stream = z_stream()
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var upstreamDone = false
    private var memberOpen = false
    private var finished = false
    private var deferredError: InputError?
    private let outputSize = 1 << 20

    public init(upstream: Upstream) {
        self.upstream = upstream
    }

    public mutating func nextChunk() throws -> [UInt8]? {
        if let error = deferredError {
            deferredError = nil
            throw error
        }
        if finished { return nil }
        var output = [UInt8](repeating: 0, count: outputSize)
        var produced = 0
        while produced < outputSize {
            if pendingOffset >= pending.count {
                if upstreamDone { break }
                if let next = try upstream.nextChunk() {
                    pending = next
                    pendingOffset = 0
                    continue
                }
                upstreamDone = true
                break
            }
            if !memberOpen {
                // Trailing zero padding after the last member is tolerated, as gzip does.
                if pending[pendingOffset...].allSatisfy({ $0 == 0 }) { pendingOffset = pending.count; continue }
                try openMember()
            }
            let status = inflateStep(into: &output, produced: &produced)
            if status == Z_STREAM_END {
                inflateEnd(&stream)
                memberOpen = false
            } else if status == Z_BUF_ERROR {
                continue
            } else if status != Z_OK {
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                end()
                // Deliver what was inflated before the damage; the error follows on the next call.
                deferredError = .corruptGzip(reason: reason)
                break
            }
        }
        if produced == 0 {
            if let error = deferredError {
                deferredError = nil
                throw error
            }
            let truncated = memberOpen
            end()
            if truncated { throw InputError.truncatedGzip }
            return nil
        }
        output.removeSubrange(produced...)
        return output
    }

    private mutating func openMember() throws {
        stream = z_stream()
        // 15 window bits + 16: expect a gzip header (not zlib or raw deflate).
        let status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw InputError.corruptGzip(reason: "inflateInit failed (\(status))") }
        memberOpen = true
    }

    private mutating func inflateStep(into output: inout [UInt8], produced: inout Int) -> Int32 {
        let availableIn = pending.count - pendingOffset
        let before = stream.total_in
        let status: Int32 = pending.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = input.baseAddress! + pendingOffset
                stream.avail_in = UInt32(availableIn)
                stream.next_out = out.baseAddress! + produced
                stream.avail_out = UInt32(out.count - produced)
                let status = inflate(&stream, Z_NO_FLUSH)
                produced = out.count - Int(stream.avail_out)
                return status
            }
        }
        pendingOffset += Int(stream.total_in - before)
        return status
    }

    private mutating func end() {
        if memberOpen { inflateEnd(&stream); memberOpen = false }
        finished = true
    }
}
