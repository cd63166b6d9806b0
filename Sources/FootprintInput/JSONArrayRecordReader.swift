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
                let found = nextInsideArray()
                guard case .byte(let byte) = found else { return endOfArray(found) }
                guard byte == UInt8(ascii: ",") else {
                    state = .finished
                    return .malformed(line: line, reason: "expected ',' or ']' between array elements, found '\(Character(Unicode.Scalar(byte)))'; the rest of the file was not read", raw: "")
                }
                state = .beforeElement
            case .beforeElement:
                let found = nextInsideArray()
                guard case .byte = found else { return endOfArray(found) }
                let startLine = line
                position -= 1
                switch scanElement() {
                case .complete(let bytes):
                    state = .afterElement
                    return jsonObjectRecord(bytes, line: startLine, notAnObject: "array element is JSON but not an object")
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

    private enum InsideArray { case byte(UInt8), closed, ended }
    /// The next non-blank byte inside the array, or whether the array closed (`]`) or the
    /// file ended first.
    private func nextInsideArray() -> InsideArray {
        guard let byte = nextNonBlank() else { return .ended }
        return byte == UInt8(ascii: "]") ? .closed : .byte(byte)
    }

    /// What `nextInsideArray` found instead of a byte: the end of reading, with what is
    /// wrong after a `]`, or with the missing `]`.
    private func endOfArray(_ found: InsideArray) -> RecordReadResult? {
        state = .finished
        if case .closed = found { return trailingProblem() }
        return endProblem() ?? .malformed(line: line, reason: "JSON array is not closed with ']' (the file is cut short?)", raw: "")
    }

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
