/// A streaming RFC 4180 reader: quoted fields may hold commas, doubled quotes and line
/// breaks; a UTF-8 byte-order mark is skipped; rows end in LF or CRLF. The first row is
/// the header. A row whose field count differs from the header's is malformed, as is a
/// stray quote inside an unquoted field or invalid UTF-8; reading goes on after it.
public final class CSVRecordReader: RecordReader {
    public private(set) var header: [String] = []
    public private(set) var bytesConsumed = 0
    private var source: any ByteChunkSource
    private var chunk: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var sourceError: Error?
    private var physicalLine = 1
    private var isFirstChunk = true
    private var headerRead = false
    /// The first record may be examined before the header is known; kept here.
    private var headerProblem: RecordReadResult?
    /// The partial row that was being read when the byte stream broke.
    private var damagedRow: RawRow?

    public init(source: any ByteChunkSource) {
        self.source = source
        readHeader()
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    private struct RawRow {
        var fields: [String] = []
        var problem: String?
        var line = 0
    }

    private func readHeader() {
        guard let row = nextRow() else { headerRead = true; return }
        if let problem = row.problem {
            headerProblem = .malformed(line: row.line, reason: "header row: \(problem)", raw: row.fields.joined(separator: ","))
        }
        header = row.fields
        headerRead = true
    }

    public func next() -> RecordReadResult? {
        if let problem = headerProblem { headerProblem = nil; return problem }
        while true {
            guard let row = nextRow() else {
                if let error = sourceError {
                    sourceError = nil
                    return .malformed(line: physicalLine, reason: "\(error)", raw: "")
                }
                return nil
            }
            if row.fields.count == 1 && row.fields[0].isEmpty && row.problem == nil { continue } // blank line
            if let problem = row.problem {
                return .malformed(line: row.line, reason: problem, raw: Self.reassemble(row.fields))
            }
            if row.fields.count != header.count {
                return .malformed(
                    line: row.line,
                    reason: "row has \(row.fields.count) fields, the header has \(header.count)",
                    raw: Self.reassemble(row.fields))
            }
            return .record(line: row.line, .csv(row.fields))
        }
    }

    /// Rebuilds a row's text for the rejects table (quoting as RFC 4180 would).
    static func reassemble(_ fields: [String]) -> String {
        let text = fields.map { field -> String in
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
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

    /// Parses the next physical row (which may span lines inside quotes).
    private func nextRow() -> RawRow? {
        var row = RawRow(line: physicalLine)
        var field: [UInt8] = []
        field.reserveCapacity(64)
        var state = State.fieldStart
        var sawAnyByte = false
        var quotedStartLine = physicalLine

        func finishField() {
            if let text = String(validating: field, as: UTF8.self) {
                row.fields.append(text)
            } else {
                row.fields.append(String(decoding: field, as: UTF8.self))
                if row.problem == nil {
                    row.problem = "field \(row.fields.count) is not valid UTF-8 (convert the file to UTF-8)"
                }
            }
            field.removeAll(keepingCapacity: true)
        }

        while true {
            if position >= chunk.count {
                if !refill() {
                    if sourceError != nil {
                        // The stream broke: whatever was read of this row is the damage.
                        if sawAnyByte { finishField(); damagedRow = row }
                        return nil
                    }
                    if !sawAnyByte { return nil }
                    if state == .quoted {
                        row.problem = row.problem ?? "quoted field opened on line \(quotedStartLine) is never closed (file cut off?)"
                    }
                    finishField()
                    return row
                }
            }
            let ended: Bool = chunk.withUnsafeBufferPointer { bytes in
                while position < bytes.count {
                    let byte = bytes[position]
                    position += 1
                    sawAnyByte = true
                    switch state {
                    case .fieldStart:
                        if byte == 0x22 { state = .quoted; quotedStartLine = physicalLine }
                        else if byte == 0x2C { finishField() }
                        else if byte == 0x0A { physicalLine += 1; finishField(); return true }
                        else if byte == 0x0D { /* CR of CRLF */ }
                        else { field.append(byte); state = .unquoted }
                    case .unquoted:
                        if byte == 0x2C { finishField(); state = .fieldStart }
                        else if byte == 0x0A {
                            physicalLine += 1
                            if field.last == 0x0D { field.removeLast() }
                            finishField(); return true
                        } else {
                            if byte == 0x22 && row.problem == nil {
                                row.problem = "field \(row.fields.count + 1) has a quote but does not start with one"
                            }
                            field.append(byte)
                        }
                    case .quoted:
                        if byte == 0x22 { state = .quoteInQuoted }
                        else {
                            if byte == 0x0A { physicalLine += 1 }
                            field.append(byte)
                        }
                    case .quoteInQuoted:
                        if byte == 0x22 { field.append(byte); state = .quoted }
                        else if byte == 0x2C { finishField(); state = .fieldStart }
                        else if byte == 0x0A { physicalLine += 1; finishField(); return true }
                        else if byte == 0x0D { /* CR of CRLF */ }
                        else {
                            if row.problem == nil {
                                row.problem = "field \(row.fields.count + 1) has text after its closing quote"
                            }
                            field.append(byte); state = .unquoted
                        }
                    }
                }
                return false
            }
            if ended { return row }
        }
    }
}
