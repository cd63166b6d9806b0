/// A reader whose records are lines: the splitting, blank lines, damage and over-long
/// lines are handled once here; each reader only says what one line becomes.
protocol LineRecordReader: RecordReader {
    var lines: LineSplitter { get }
    func result(line: Int, bytes: [UInt8]) -> RecordReadResult
}

extension LineRecordReader {
    public var bytesConsumed: Int { lines.bytesConsumed }

    public func next() -> RecordReadResult? {
        switch lines.nextContentLine() {
        case nil: return nil
        case .problem(let problem)?: return problem
        case .line(let number, let bytes)?: return result(line: number, bytes: bytes)
        }
    }
}

/// Reads one JSON object per line. Blank lines are skipped; a line that is not a JSON
/// object is malformed and reading goes on with the next line.
public final class JSONLRecordReader: LineRecordReader {
    let lines: LineSplitter

    public init(source: any ByteChunkSource, maxRecordBytes: Int = defaultMaxRecordBytes) {
        lines = LineSplitter(source: source, maxLineBytes: maxRecordBytes)
    }

    func result(line: Int, bytes: [UInt8]) -> RecordReadResult {
        jsonObjectRecord(bytes, line: line, notAnObject: "line is JSON but not an object (expected one {...} per line)")
    }
}

/// Splits a byte stream into lines (LF, with a CR before it dropped). When the stream
/// breaks (truncated gzip), the partial line is handed back with the error as one piece
/// of damage rather than parsed as if it were whole.
final class LineSplitter {
    enum Line {
        case line([UInt8])
        case damaged(Error, partial: [UInt8])
        case oversized(bytes: Int, limit: Int)
    }

    /// What line-based readers work with: a non-blank line, or the damage or
    /// over-long line already turned into a malformed result.
    enum ContentLine {
        case line(Int, [UInt8])
        case problem(RecordReadResult)
    }

    /// The next non-blank line, or the problem in its place; nil at the end.
    func nextContentLine() -> ContentLine? {
        while true {
            guard let (lineNumber, result) = nextLine() else { return nil }
            switch result {
            case .damaged(let error, let partial):
                return .problem(.malformed(line: lineNumber, reason: "\(error)", raw: truncatedRaw(partial)))
            case .oversized(let bytes, let limit):
                return .problem(.malformed(line: lineNumber, reason: "line is longer than \(limit) bytes (\(bytes) read before giving up); it was skipped — raise [limits] max_record_bytes if such lines are real", raw: ""))
            case .line(let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                return .line(lineNumber, bytes)
            }
        }
    }

    private var feed: ChunkFeed
    private var chunk: [UInt8] = []
    private var position = 0
    private var lineNumber = 0
    var bytesConsumed: Int { feed.bytesConsumed }

    private let maxLineBytes: Int

    init(source: any ByteChunkSource, maxLineBytes: Int) {
        feed = ChunkFeed(source)
        self.maxLineBytes = maxLineBytes
    }

    func nextLine() -> (Int, Line)? {
        var line: [UInt8] = []
        var sawByte = false
        var dropped = 0 // bytes of an over-long line that were not kept
        while true {
            if position >= chunk.count {
                if let next = feed.next() {
                    (chunk, position) = (next, 0)
                    continue
                }
                if dropped > 0 {
                    lineNumber += 1
                    return (lineNumber, .oversized(bytes: dropped, limit: maxLineBytes))
                }
                if let error = feed.pendingError {
                    feed.pendingError = nil
                    lineNumber += 1
                    return (lineNumber, .damaged(error, partial: line))
                }
                return sawByte ? finish(line) : nil
            }
            let newline = chunk[position...].firstIndex(of: 0x0A)
            let spanEnd = newline ?? chunk.count
            if dropped > 0 || line.count + (spanEnd - position) > maxLineBytes {
                dropped += line.count + (spanEnd - position)
                line = []
                position = newline.map { $0 + 1 } ?? chunk.count
                if newline != nil {
                    lineNumber += 1
                    return (lineNumber, .oversized(bytes: dropped, limit: maxLineBytes))
                }
                continue
            }
            if let newline {
                line.append(contentsOf: chunk[position..<newline])
                position = newline + 1
                return finish(line)
            }
            line.append(contentsOf: chunk[position...])
            sawByte = true
            position = chunk.count
        }
    }

    private func finish(_ line: [UInt8]) -> (Int, Line) {
        lineNumber += 1
        var line = line
        if line.last == 0x0D { line.removeLast() }
        return (lineNumber, .line(line))
    }
}
