/// One record as it came out of a file, before any mapping: the fields of a CSV row
/// (in header order) or the object on a JSONL line.
public enum SourceRecord: Equatable, Sendable {
    case csv(CSVRow)
    case json(JSONValue)
}

/// What a reader hands out: a record with the line it starts on, or a piece of the file
/// that could not be read as a record, with the reason and the raw text (truncated).
public enum RecordReadResult: Equatable, Sendable {
    case record(line: Int, SourceRecord)
    case malformed(line: Int, reason: String, raw: String)
    /// A well-formed line that is not an event of interest (an access log's image
    /// request, say): counted by reason, not rejected.
    case skipped(line: Int, reason: String)
}

public protocol RecordReader: AnyObject {
    /// The next record, or nil at the end of the file.
    func next() -> RecordReadResult?
    /// Bytes consumed so far (after decompression), for progress displays.
    var bytesConsumed: Int { get }
}

/// The default longest row or line accepted (32 MiB): a 10 MB text field reads fine.
public let defaultMaxRecordBytes = 32 << 20

/// The default most blank lines a file may hold before reading stops (the default
/// `max_rows_per_file`): blank lines are cheap to skip but not free.
public let defaultMaxBlankLines = 1_000_000_000

/// Raw text kept with a reject is cut to this many bytes so a 1 GB line cannot fill the
/// database.
public let maxRawRejectBytes = 4096

func truncatedRaw(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes.prefix(maxRawRejectBytes), as: UTF8.self)
}

/// One JSON object's bytes as a record (JSONL lines, JSON array elements); anything
/// else is malformed, with `notAnObject` as the reason when it is JSON of another kind.
func jsonObjectRecord(_ bytes: [UInt8], line: Int, notAnObject: String) -> RecordReadResult {
    do {
        let value = try JSONParser.parse(bytes)
        guard case .object = value else { return .malformed(line: line, reason: notAnObject, raw: truncatedRaw(bytes)) }
        return .record(line: line, .json(value))
    } catch {
        return .malformed(line: line, reason: error.description, raw: truncatedRaw(bytes))
    }
}

/// Skips a run of empty lines (LF or CRLF) from `start`, at most `limit` of them, in one
/// tight loop: how the CSV and line readers pass over blank lines without handling each
/// as a row. Returns how many were skipped and where the next byte is.
func skipEmptyLines(in chunk: [UInt8], from start: Int, atMost limit: Int) -> (count: Int, next: Int) {
    chunk.withUnsafeBufferPointer { bytes in
        var i = start, count = 0
        while i < bytes.count && count < limit {
            if bytes[i] == 0x0A {
                i += 1
            } else if bytes[i] == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A {
                i += 2
            } else {
                break
            }
            count += 1
        }
        return (count, i)
    }
}
