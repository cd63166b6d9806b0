#if canImport(Glibc)
import Glibc
#endif

/// A streaming RFC 4180 reader: quoted fields may hold commas, doubled quotes and line
/// breaks; a UTF-8 byte-order mark is skipped; rows end in LF or CRLF. The first row is
/// the header. A row whose field count differs from the header's is malformed, as is a
/// stray quote inside an unquoted field or invalid UTF-8; reading goes on after it.
///
/// Speed matters here (every byte of every export passes through): a row that lies whole
/// inside the current chunk (nearly all of them) is split into fields in one pass over
/// its bytes, eight at a time, the fields copied into the row's one buffer (CSVRow). Only
/// a row that spans chunks is first gathered (finding its end with a byte loop that knows
/// about quotes), then split.
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

    /// Blank lines count toward a bound (see LineSplitter): runs of them are skipped in
    /// one tight loop, and past the bound the file stops with one reject.
    public let maxBlankLines: Int
    private var blankLines = 0

    public init(source: any ByteChunkSource, maxRecordBytes: Int = defaultMaxRecordBytes, maxBlankLines: Int = defaultMaxBlankLines) {
        self.source = source
        self.maxRecordBytes = maxRecordBytes
        self.maxBlankLines = maxBlankLines
        readHeader()
    }

    private struct ParsedRow {
        var fields: CSVRow
        var problem: String?
        var line: Int
    }

    private func readHeader() {
        guard let row = nextParsedRow() else { return }
        if let problem = row.problem {
            headerProblem = .malformed(line: row.line, reason: "header row: \(problem)", raw: Self.reassemble(row.fields.fields))
        }
        header = row.fields.fields.map { $0.trimmingASCIISpaces() }
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
            if row.fields.count == 1 && row.fields.withField(0, \.isEmpty) && row.problem == nil { // a blank line the skip did not take (CR and LF in two chunks)
                blankLines += 1
                if blankLines > maxBlankLines {
                    let stop = tooManyBlankLines(line: row.line)
                    return .malformed(line: stop.line, reason: stop.problem!, raw: "")
                }
                continue
            }
            if let problem = row.problem {
                return .malformed(line: row.line, reason: problem, raw: Self.reassemble(row.fields.fields))
            }
            if row.fields.count != header.count {
                return .malformed(line: row.line, reason: "row has \(row.fields.count) fields, the header has \(header.count)",
                                  raw: Self.reassemble(row.fields.fields))
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

    /// The one reject past the bound on blank lines; reading stops there.
    private func tooManyBlankLines(line: Int) -> ParsedRow {
        atEnd = true
        chunk = []
        position = 0
        carry.removeAll()
        return ParsedRow(fields: CSVRow([]), problem: "more than \(maxBlankLines) blank lines; the rest of the file was not read — raise [limits] max_rows_per_file if this is expected", line: line)
    }

    /// Finds the next row's bytes and parses them. A row that spans chunks is gathered
    /// in `carry`. When the stream breaks mid-row, the partial row stays in `carry` and
    /// becomes the one reject that `next()` reports with the error.
    private func nextParsedRow() -> ParsedRow? {
        // Runs of empty lines, skipped without parsing each as a row.
        while !header.isEmpty {
            if position >= chunk.count && !refill() { break }
            // Nearly every row starts with data: one byte test, not a call, on that path.
            guard chunk[position] == 0x0A || chunk[position] == 0x0D else { break }
            let allowance = maxBlankLines - blankLines + 1   // stop at the first line over the bound
            let (skipped, next) = skipEmptyLines(in: chunk, from: position, atMost: allowance)
            guard skipped > 0 else { break }
            position = next
            nextLine += skipped
            blankLines += skipped
            if blankLines > maxBlankLines { return tooManyBlankLines(line: nextLine - 1) }
        }
        // Most rows lie whole inside the current chunk: parse them in place, in one pass.
        if position < chunk.count {
            let scan = chunk.withUnsafeBufferPointer { parseRow($0, from: position, final: false) }
            if case .complete(let row, let newlines, let next) = scan, next - position <= maxRecordBytes {
                position = next
                nextLine += 1 + newlines
                return row
            }
        }
        // Otherwise find where the row ends first, gathering it across chunks.
        carry.removeAll(keepingCapacity: true)
        // 0 field start, 1 unquoted field, 2 inside quotes, 3 quote seen inside quotes.
        var state: UInt8 = 0
        // Bytes of an over-long row that were dropped, and the line breaks among them.
        var discarded = 0
        var discardedNewlines = 0
        func oversized() -> ParsedRow {
            let row = ParsedRow(fields: CSVRow([]), problem: "row is longer than \(maxRecordBytes) bytes (\(discarded) read before giving up); it was skipped — raise [limits] max_record_bytes if such rows are real", line: nextLine)
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
                    return row.withUnsafeBufferPointer { parseFinal($0) }
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
                        parseFinal(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                    }
                }
                carry.append(contentsOf: chunk[start..<end])
                let row = carry
                return row.withUnsafeBufferPointer { parseFinal($0) }
            }
            carry.append(contentsOf: chunk[start...])
            position = chunk.count
        }
    }

    /// What parsing from a position found: a whole row and where the next one starts,
    /// or the end of the buffer before the row's end.
    private enum RowScan {
        case complete(ParsedRow, newlines: Int, next: Int)
        case incomplete
    }

    /// Parses the row that starts at `start`, in one pass. Unless `final`, the row must
    /// end with an LF inside the buffer, else the scan is `.incomplete` (and nothing has
    /// changed). When `final`, the buffer's end is the row's end: a row gathered across
    /// chunks (without its LF), or the file's last row.
    ///
    /// Fields are found eight bytes at a time (`firstOf`); a quoted field without doubled
    /// quotes is copied into the row straight from the buffer.
    private func parseRow(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, final: Bool) -> RowScan {
        guard let base = bytes.baseAddress else {
            return final ? .complete(ParsedRow(fields: CSVRow([""]), problem: nil, line: nextLine), newlines: 0, next: 0) : .incomplete
        }
        let line = nextLine
        var end = bytes.count
        if final && end > start && base[end - 1] == 0x0D { end -= 1 } // CR of CRLF
        var newlines = 0
        // The row's bytes are at most what lies between here and the buffer's end; the
        // next LF is not known yet, so reserve for a typical row and let it grow.
        var fields = CSVRowBuilder(base: base, rowStart: start, fieldCapacity: max(header.count, 4))
        var problem: String?
        var i = start
        while true {
            if i < end && base[i] == 0x22 {
                i += 1
                let contentStart = i
                var contentEnd = end
                var doubled = false
                var closed = false
                while true {
                    let found = Self.firstOf(0x22, 0x0A, 0x22, base, from: i, to: end)
                    if found == end { i = end; break }
                    if base[found] == 0x0A { newlines += 1; i = found + 1; continue }
                    if found + 1 == end && !final { return .incomplete } // a doubled quote may follow
                    if found + 1 < end && base[found + 1] == 0x22 { doubled = true; i = found + 2; continue }
                    closed = true
                    contentEnd = found
                    i = found + 1
                    break
                }
                if !closed {
                    if !final { return .incomplete }
                    if problem == nil { problem = "quoted field opened on line \(line) is never closed (file cut off?)" }
                }
                // Text between the closing quote and the next comma is kept but is an error.
                let tailStart = i
                i = Self.firstOf(0x2C, 0x0A, 0x2C, base, from: i, to: end)
                if i == end && !final { return .incomplete }
                var tailEnd = i
                if i < end && base[i] == 0x0A && tailEnd > tailStart && base[tailEnd - 1] == 0x0D { tailEnd -= 1 }
                let content = UnsafeBufferPointer(start: base + contentStart, count: contentEnd - contentStart)
                if !doubled && tailEnd == tailStart {
                    fields.append(from: contentStart, to: contentEnd)
                } else {
                    scratch.removeAll(keepingCapacity: true)
                    var k = 0
                    while k < content.count {
                        scratch.append(content[k])
                        k += content[k] == 0x22 ? 2 : 1 // "" inside quotes is one quote
                    }
                    if tailEnd > tailStart {
                        if problem == nil { problem = "field \(fields.count + 1) has text after its closing quote" }
                        scratch.append(contentsOf: UnsafeBufferPointer(start: base + tailStart, count: tailEnd - tailStart))
                    }
                    fields.append(rebuilt: scratch)
                }
            } else {
                let fieldStart = i
                while true {
                    i = Self.firstOf(0x2C, 0x0A, 0x22, base, from: i, to: end)
                    guard i < end && base[i] == 0x22 else { break }
                    if problem == nil { problem = "field \(fields.count + 1) has a quote but does not start with one" }
                    i += 1
                }
                if i == end && !final { return .incomplete }
                var fieldEnd = i
                if i < end && base[i] == 0x0A && fieldEnd > fieldStart && base[fieldEnd - 1] == 0x0D { fieldEnd -= 1 }
                fields.append(from: fieldStart, to: fieldEnd)
            }
            if i >= end { break }
            if base[i] == 0x0A { i += 1; break }
            i += 1 // the comma
            if i == end {
                if !final { return .incomplete }
                fields.appendEmpty()
                break
            }
        }
        let rowEnd = final ? end : i - 1
        if problem == nil, let field = fields.firstInvalidUTF8Field() {
            problem = "field \(field) is not valid UTF-8 (convert the file to UTF-8)"
        }
        if rowEnd > start, memchr(base + start, 0, rowEnd - start) != nil {
            problem = "row contains a NUL byte (binary data, or a UTF-16 file: convert it to UTF-8)"
        }
        return .complete(ParsedRow(fields: fields.build(), problem: problem, line: line), newlines: newlines, next: final ? bytes.count : i)
    }

    /// Parses a whole row (see `parseRow`) and moves the line count past it.
    private func parseFinal(_ row: UnsafeBufferPointer<UInt8>) -> ParsedRow {
        guard case .complete(let parsed, let newlines, _) = parseRow(row, from: 0, final: true) else {
            preconditionFailure("a final parse always completes")
        }
        nextLine += 1 + newlines
        return parsed
    }

    /// The position of the first byte in `from..<to` equal to `a`, `b` or `c`, or `to`.
    /// Eight bytes at a time: a byte equal to the target is a zero byte of the XOR, and
    /// the lowest flagged byte of the zero-byte test is always a true one.
    @inline(__always)
    static func firstOf(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ base: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let ma = ones &* UInt64(a), mb = ones &* UInt64(b), mc = ones &* UInt64(c)
        var i = from
        while i + 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let xa = word ^ ma, xb = word ^ mb, xc = word ^ mc
            let hits = ((xa &- ones) & ~xa | (xb &- ones) & ~xb | (xc &- ones) & ~xc) & highs
            if hits != 0 { return i + hits.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < end {
            let byte = base[i]
            if byte == a || byte == b || byte == c { return i }
            i += 1
        }
        return end
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
