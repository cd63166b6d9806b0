#if canImport(Glibc)
import Glibc
#endif

/// A streaming RFC 4180 reader: quoted fields may hold commas, doubled quotes and line
/// breaks; a UTF-8 byte-order mark is skipped; rows end in LF or CRLF. The first row is
/// the header. A row whose field count differs from the header's is malformed, as is a
/// stray quote inside an unquoted field or invalid UTF-8; reading goes on after it.
///
/// Speed matters here (every byte of every export passes through), so the reader first
/// finds where a row ends (the next newline outside quotes) with a tight byte loop, then
/// splits that one contiguous row into fields, making each field's String straight from
/// the bytes.
public final class CSVRecordReader: RecordReader {
    public private(set) var header: [String] = []
    public private(set) var bytesConsumed = 0
    private var source: any ByteChunkSource
    private var chunk: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var sourceError: Error?
    private var nextLine = 1
    private var isFirstChunk = true
    private var headerProblem: RecordReadResult?
    /// Bytes of a row that started in an earlier chunk.
    private var carry: [UInt8] = []
    private var scratch: [UInt8] = []
    /// A row longer than this is skipped as one reject, so a runaway quote or a 1 GB
    /// line cannot take memory with it.
    public let maxRecordBytes: Int

    public init(source: any ByteChunkSource, maxRecordBytes: Int = defaultMaxRecordBytes) {
        self.source = source
        self.maxRecordBytes = maxRecordBytes
        readHeader()
    }

    private struct ParsedRow {
        var fields: [String]
        var problem: String?
        var line: Int
    }

    private func readHeader() {
        guard let row = nextParsedRow() else { return }
        if let problem = row.problem {
            headerProblem = .malformed(line: row.line, reason: "header row: \(problem)", raw: Self.reassemble(row.fields))
        }
        header = row.fields.map { $0.trimmingASCIISpaces() }
    }

    public func next() -> RecordReadResult? {
        if let problem = headerProblem { headerProblem = nil; return problem }
        while true {
            guard let row = nextParsedRow() else {
                if let error = sourceError {
                    sourceError = nil
                    return .malformed(line: nextLine, reason: "\(error)", raw: truncatedRaw(carry))
                }
                return nil
            }
            if row.fields.count == 1 && row.fields[0].isEmpty && row.problem == nil { continue } // blank line
            if let problem = row.problem {
                return .malformed(line: row.line, reason: problem, raw: Self.reassemble(row.fields))
            }
            if row.fields.count != header.count {
                return .malformed(line: row.line, reason: "row has \(row.fields.count) fields, the header has \(header.count)",
                                  raw: Self.reassemble(row.fields))
            }
            return .record(line: row.line, .csv(row.fields))
        }
    }

    /// Rebuilds a row's text for the rejects table (quoting as RFC 4180 would).
    static func reassemble(_ fields: [String]) -> String {
        let text = fields.map { field -> String in
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return field
        }.joined(separator: ",")
        return truncatedRaw(Array(text.utf8))
    }

    private func refill() -> Bool {
        if atEnd { return false }
        do {
            guard var next = try source.nextChunk() else { atEnd = true; return false }
            if isFirstChunk {
                isFirstChunk = false
                if next.starts(with: [0xEF, 0xBB, 0xBF]) { next.removeFirst(3) }
            }
            bytesConsumed += next.count
            chunk = next
            position = 0
            return true
        } catch {
            sourceError = error
            atEnd = true
            return false
        }
    }

    /// Finds the next row's bytes and parses them. A row that spans chunks is gathered
    /// in `carry`. When the stream breaks mid-row, the partial row stays in `carry` and
    /// becomes the one reject that `next()` reports with the error.
    private func nextParsedRow() -> ParsedRow? {
        carry.removeAll(keepingCapacity: true)
        // 0 field start, 1 unquoted field, 2 inside quotes, 3 quote seen inside quotes.
        var state: UInt8 = 0
        // Bytes of an over-long row that were dropped, and the line breaks among them.
        var discarded = 0
        var discardedNewlines = 0
        func oversized() -> ParsedRow {
            let row = ParsedRow(fields: [], problem: "row is longer than \(maxRecordBytes) bytes (\(discarded) read before giving up); it was skipped — raise [limits] max_record_bytes if such rows are real", line: nextLine)
            nextLine += 1 + discardedNewlines
            carry.removeAll(keepingCapacity: true)
            return row
        }
        while true {
            if position >= chunk.count {
                if !refill() {
                    if sourceError != nil { return nil }
                    if discarded > 0 { return oversized() }
                    if carry.isEmpty { return nil }
                    // Last row without a final newline (or an unclosed quote).
                    let row = carry
                    carry.removeAll(keepingCapacity: true)
                    return row.withUnsafeBufferPointer { parse($0, unclosedQuote: state == 2) }
                }
            }
            let start = position
            var end = -1
            chunk.withUnsafeBufferPointer { bytes in
                var i = start
                let count = bytes.count
                while i < count {
                    let byte = bytes[i]
                    switch state {
                    case 2: if byte == 0x22 { state = 3 }
                    case 0:
                        if byte == 0x22 { state = 2 } else if byte == 0x0A { end = i } else if byte != 0x2C { state = 1 }
                    case 1:
                        if byte == 0x2C { state = 0 } else if byte == 0x0A { end = i }
                    default: // 3
                        if byte == 0x22 { state = 2 } else if byte == 0x2C { state = 0 } else if byte == 0x0A { end = i } else { state = 1 }
                    }
                    if end >= 0 { break }
                    i += 1
                }
            }
            let spanEnd = end >= 0 ? end : chunk.count
            if discarded > 0 || carry.count + (spanEnd - start) > maxRecordBytes {
                discarded += carry.count + (spanEnd - start)
                discardedNewlines += carry.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                    + chunk[start..<spanEnd].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                carry.removeAll(keepingCapacity: false)
                position = end >= 0 ? end + 1 : chunk.count
                if end >= 0 { return oversized() }
                continue
            }
            if end >= 0 {
                position = end + 1
                if carry.isEmpty {
                    return chunk.withUnsafeBufferPointer { bytes in
                        parse(UnsafeBufferPointer(rebasing: bytes[start..<end]), unclosedQuote: false)
                    }
                }
                carry.append(contentsOf: chunk[start..<end])
                let row = carry
                return row.withUnsafeBufferPointer { parse($0, unclosedQuote: false) }
            }
            carry.append(contentsOf: chunk[start...])
            position = chunk.count
        }
    }

    /// Splits one row (without its final LF) into fields.
    private func parse(_ row: UnsafeBufferPointer<UInt8>, unclosedQuote: Bool) -> ParsedRow {
        let line = nextLine
        var newlines = 0
        var fields: [String] = []
        fields.reserveCapacity(max(header.count, 4))
        var problem: String?
        var count = row.count
        if count > 0 && row[count - 1] == 0x0D { count -= 1 } // CR of CRLF
        if count > 0, memchr(row.baseAddress!, 0, count) != nil {
            problem = "row contains a NUL byte (binary data, or a UTF-16 file: convert it to UTF-8)"
        }
        var i = 0
        while true {
            if i < count && row[i] == 0x22 {
                // Quoted field: copy with doubled quotes undone.
                scratch.removeAll(keepingCapacity: true)
                i += 1
                var closed = false
                while i < count {
                    let byte = row[i]
                    if byte == 0x22 {
                        if i + 1 < count && row[i + 1] == 0x22 { scratch.append(0x22); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    if byte == 0x0A { newlines += 1 }
                    scratch.append(byte)
                    i += 1
                }
                if !closed && problem == nil {
                    problem = "quoted field opened on line \(line) is never closed (file cut off?)"
                }
                // Text between the closing quote and the next comma is kept but is an error.
                let tailStart = i
                while i < count && row[i] != 0x2C { i += 1 }
                if i > tailStart {
                    if problem == nil { problem = "field \(fields.count + 1) has text after its closing quote" }
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: row[tailStart..<i]))
                }
                fields.append(makeString(scratch, field: fields.count + 1, problem: &problem))
            } else {
                let fieldStart = i
                while i < count && row[i] != 0x2C {
                    if row[i] == 0x22 && problem == nil {
                        problem = "field \(fields.count + 1) has a quote but does not start with one"
                    }
                    i += 1
                }
                fields.append(makeString(UnsafeBufferPointer(rebasing: row[fieldStart..<i]), field: fields.count + 1, problem: &problem))
            }
            if i >= count { break }
            i += 1 // the comma
            if i == count { fields.append(""); break }
        }
        if unclosedQuote && problem == nil {
            problem = "quoted field opened on line \(line) is never closed (file cut off?)"
        }
        nextLine += 1 + newlines
        return ParsedRow(fields: fields, problem: problem, line: line)
    }

    private func makeString(_ bytes: [UInt8], field: Int, problem: inout String?) -> String {
        bytes.withUnsafeBufferPointer { makeString($0, field: field, problem: &problem) }
    }

    private func makeString(_ bytes: UnsafeBufferPointer<UInt8>, field: Int, problem: inout String?) -> String {
        // Most fields are ASCII: then decoding cannot repair anything, and it is far
        // cheaper than the generic validating initialiser.
        if Self.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        if problem == nil { problem = "field \(field) is not valid UTF-8 (convert the file to UTF-8)" }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension CSVRecordReader {
    /// Whether every byte is below 0x80, eight bytes at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            if UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if base[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
