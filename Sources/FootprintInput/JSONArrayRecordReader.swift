/// Reads a file holding one JSON array of objects (`[{…}, {…}]`, as Slack's workspace
/// export writes one per channel and day), handing out each element as a record
/// without holding the whole array: the bytes are scanned for the commas that
/// separate top-level elements (outside strings and nested values), and each element
/// is parsed on its own. An element that is not a valid object is malformed and
/// reading goes on with the next one; a record's line is the line its element starts on.
public final class JSONArrayRecordReader: RecordReader {
    private var feed: ChunkFeed
    private var chunk: [UInt8] = []
    private var position = 0
    private var line = 1
    private var state = State.beforeArray
    private let maxRecordBytes: Int
    public var bytesConsumed: Int { feed.bytesConsumed }

    private enum State { case beforeArray, beforeElement, afterElement, finished }

    public init(source: any ByteChunkSource, maxRecordBytes: Int = defaultMaxRecordBytes) {
        feed = ChunkFeed(source)
        self.maxRecordBytes = maxRecordBytes
    }

    public func next() -> RecordReadResult? {
        while true {
            switch state {
            case .finished:
                return nil
            case .beforeArray:
                guard let byte = nextNonBlank() else { state = .finished; return endProblem() }
                guard byte == UInt8(ascii: "[") else {
                    state = .finished
                    return .malformed(line: line, reason: "file is not a JSON array (it should start with '['); use format = \"jsonl\" for one object per line", raw: "")
                }
                state = .beforeElement
            case .afterElement:
                guard let byte = nextNonBlank() else {
                    state = .finished
                    return endProblem() ?? .malformed(line: line, reason: "JSON array is not closed with ']' (the file is cut short?)", raw: "")
                }
                if byte == UInt8(ascii: "]") { state = .finished; return trailingProblem() }
                guard byte == UInt8(ascii: ",") else {
                    state = .finished
                    return .malformed(line: line, reason: "expected ',' or ']' between array elements, found '\(Character(Unicode.Scalar(byte)))'; the rest of the file was not read", raw: "")
                }
                state = .beforeElement
            case .beforeElement:
                guard let first = nextNonBlank() else {
                    state = .finished
                    return endProblem() ?? .malformed(line: line, reason: "JSON array is not closed with ']' (the file is cut short?)", raw: "")
                }
                if first == UInt8(ascii: "]") { state = .finished; return trailingProblem() }
                let startLine = line
                position -= 1
                switch scanElement() {
                case .complete(let bytes):
                    state = .afterElement
                    do {
                        let value = try JSONParser.parse(bytes)
                        guard case .object = value else {
                            return .malformed(line: startLine, reason: "array element is JSON but not an object", raw: truncatedRaw(bytes))
                        }
                        return .record(line: startLine, .json(value))
                    } catch {
                        return .malformed(line: startLine, reason: error.description, raw: truncatedRaw(bytes))
                    }
                case .tooLong(let bytes):
                    state = .finished
                    return .malformed(line: startLine, reason: "array element is longer than \(maxRecordBytes) bytes (\(bytes) read before giving up); the rest of the file was not read — raise [limits] max_record_bytes if such elements are real", raw: "")
                case .cutShort(let bytes, let error):
                    state = .finished
                    let reason = error.map { "\($0)" } ?? "the file ends inside an array element (cut short?)"
                    return .malformed(line: startLine, reason: reason, raw: truncatedRaw(bytes))
                }
            }
        }
    }

    private enum Scan { case complete([UInt8]), tooLong(Int), cutShort([UInt8], Error?) }

    /// Collects one element's bytes: up to the ',' or ']' at depth 0 (left unread).
    private func scanElement() -> Scan {
        var bytes: [UInt8] = []
        var depth = 0
        var inString = false
        var escaped = false
        while true {
            guard fill() else {
                // A whole value before the end (`[{…}` without its `]`) still loads; the
                // missing bracket is reported after it.
                if depth == 0 && !inString && feed.pendingError == nil && !bytes.isEmpty { return .complete(bytes) }
                return .cutShort(bytes, feed.pendingError)
            }
            var index = position
            let end = chunk.count
            var done = false
            while index < end {
                let byte = chunk[index]
                if byte == 0x0A { line += 1 }
                if inString {
                    if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                } else if byte == 0x22 {
                    inString = true
                } else if byte == 0x7B || byte == 0x5B {
                    depth += 1
                } else if byte == 0x7D || byte == 0x5D {
                    if depth == 0 { done = true; break } // the array's own ']'
                    depth -= 1
                } else if byte == 0x2C && depth == 0 {
                    done = true
                    break
                }
                index += 1
            }
            bytes.append(contentsOf: chunk[position..<index])
            position = index
            if bytes.count > maxRecordBytes { return .tooLong(bytes.count) }
            if done { return .complete(bytes) }
        }
    }

    /// The next byte that is not white space, consumed; nil at the end of the input.
    private func nextNonBlank() -> UInt8? {
        while fill() {
            let byte = chunk[position]
            position += 1
            if byte == 0x0A { line += 1 }
            if byte != 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return byte }
        }
        return nil
    }

    /// Anything but white space after the closing ']' is damage worth reporting.
    private func trailingProblem() -> RecordReadResult? {
        if nextNonBlank() != nil {
            return .malformed(line: line, reason: "text after the end of the JSON array was not read", raw: "")
        }
        return endProblem()
    }

    /// A read error (a truncated gzip stream) that ended the input, as damage.
    private func endProblem() -> RecordReadResult? {
        guard let error = feed.pendingError else { return nil }
        feed.pendingError = nil
        return .malformed(line: line, reason: "\(error)", raw: "")
    }

    /// Makes sure an unread byte is in `chunk`; false at the end of the input.
    private func fill() -> Bool {
        while position >= chunk.count {
            guard let next = feed.next() else { return false }
            (chunk, position) = (next, 0)
        }
        return true
    }
}
