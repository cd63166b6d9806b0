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

    public init(source: any ByteChunkSource, maxRecordBytes: Int = defaultMaxRecordBytes, maxBlankLines: Int = defaultMaxBlankLines) {
        lines = LineSplitter(source: source, maxLineBytes: maxRecordBytes, maxBlankLines: maxBlankLines)
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
        case tooManyBlankLines(limit: Int)
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
            guard !stopped, let (lineNumber, result) = nextLine() else { return nil }
            switch result {
            case .tooManyBlankLines(let limit):
                stopped = true
                return .problem(.malformed(line: lineNumber, reason: "more than \(limit) blank lines; the rest of the file was not read — raise [limits] max_rows_per_file if this is expected", raw: ""))
            case .damaged(let error, let partial):
                return .problem(.malformed(line: lineNumber, reason: "\(error)", raw: truncatedRaw(partial)))
            case .oversized(let bytes, let limit):
                return .problem(.malformed(line: lineNumber, reason: "line is longer than \(limit) bytes (\(bytes) read before giving up); it was skipped — raise [limits] max_record_bytes if such lines are real", raw: ""))
            case .line(let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    blankLines += 1
                    if blankLines > maxBlankLines {
                        stopped = true
                        return .problem(.malformed(line: lineNumber, reason: "more than \(maxBlankLines) blank lines; the rest of the file was not read — raise [limits] max_rows_per_file if this is expected", raw: ""))
                    }
                    continue
                }
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
    /// Blank lines count toward a bound too: 9 MB of gzip can hold 2 GB of line feeds,
    /// which cost minutes of CPU when each went through the line machinery. Runs of
    /// them are skipped in one tight loop, and past the bound the file stops.
    private let maxBlankLines: Int
    private var blankLines = 0
    private var stopped = false

    init(source: any ByteChunkSource, maxLineBytes: Int, maxBlankLines: Int = defaultMaxBlankLines) {
        feed = ChunkFeed(source)
        self.maxLineBytes = maxLineBytes
        self.maxBlankLines = maxBlankLines
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
            if !sawByte && line.isEmpty && dropped == 0 && (chunk[position] == 0x0A || chunk[position] == 0x0D) {
                // Skip a run of empty lines (LF or CRLF) in one loop.
                let allowance = maxBlankLines - blankLines + 1   // stop at the first line over the bound
                let (skipped, next) = skipEmptyLines(in: chunk, from: position, atMost: allowance)
                if skipped > 0 {
                    lineNumber += skipped
                    blankLines += skipped
                    position = next
                    if blankLines > maxBlankLines { return (lineNumber, .tooManyBlankLines(limit: maxBlankLines)) }
                    continue
                }
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
