/// Reads web server access logs in Combined or Common Log Format (Apache's `%h %l %u %t
/// "%r" %>s %b "%{Referer}i" "%{User-agent}i"`, nginx's `combined`), plain or gzip, one
/// request per line. Each line becomes an object with the keys `ip, ident, user, time,
/// method, path, protocol, status, bytes, referrer, user_agent` (time as ISO 8601 with its
/// offset), so the ordinary mapping language reads it. Only successful page views count:
/// requests that are not GET, failed (other than 2xx and 304), or fetch assets by their
/// extension are *skipped* with the reason, not rejected; a line that is not in the
/// format is rejected.
public final class AccessLogRecordReader: LineRecordReader {
    let lines: LineSplitter

    /// Extensions of files that are not pages.
    static let assetExtensions: Set<String> = [
        "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "bmp", "woff", "woff2",
        "ttf", "otf", "eot", "mp4", "webm", "mp3", "ogg", "wav", "pdf", "zip", "gz", "tgz", "xml", "txt", "json", "rss",
        "atom", "csv", "wasm",
    ]

    public init(source: any ByteChunkSource, maxRecordBytes: Int = defaultMaxRecordBytes, maxBlankLines: Int = defaultMaxBlankLines) {
        lines = LineSplitter(source: source, maxLineBytes: maxRecordBytes, maxBlankLines: maxBlankLines)
    }

    func result(line: Int, bytes: [UInt8]) -> RecordReadResult {
        // Invalid UTF-8 is repaired, not rejected: log lines carry raw request bytes.
        guard let fields = Self.parse(String(decoding: bytes, as: UTF8.self)) else {
            return .malformed(line: line, reason: "line is not in Combined or Common Log Format (or is cut off inside a quoted field)", raw: truncatedRaw(bytes))
        }
        if let reason = Self.skipReason(fields) { return .skipped(line: line, reason: reason) }
        var members: [String: JSONValue] = [:]
        for (key, value) in fields where value != "-" { members[key] = .string(value) }
        return .record(line: line, .json(.object(members)))
    }

    static func skipReason(_ fields: [String: String]) -> String? {
        let method = fields["method"] ?? ""
        if method != "GET" { return "method \(method.isEmpty ? "missing" : method), not GET" }
        let status = Int(fields["status"] ?? "") ?? 0
        if !(200...299).contains(status) && status != 304 { return "status \(status / 100)xx" }
        var path = Substring(fields["path"] ?? "")
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<query] }
        if let dot = path.lastIndex(of: "."), !path[dot...].contains("/") {
            let ext = path[path.index(after: dot)...].lowercased()
            if assetExtensions.contains(ext) { return "asset (.\(ext))" }
        }
        return nil
    }

    /// `%h %l %u [%t] "%r" %>s %b` and optionally `"referer" "user-agent"`.
    static func parse(_ line: String) -> [String: String]? {
        var rest = Substring(line)
        func word() -> String? {
            rest = rest.drop(while: { $0 == " " })
            guard !rest.isEmpty else { return nil }
            let end = rest.firstIndex(of: " ") ?? rest.endIndex
            defer { rest = rest[end...] }
            return String(rest[..<end])
        }
        func bracketed() -> String? {
            rest = rest.drop(while: { $0 == " " })
            guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
            defer { rest = rest[rest.index(after: close)...] }
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        // A quoted field, its escapes decoded as Apache and nginx write them: `\xhh` for
        // a raw byte (non-ASCII text in a referrer arrives so), `\"` and `\\`, and C-style
        // whitespace (`\n`, `\t` …). nil when the field never closes.
        func quoted() -> String? {
            rest = rest.drop(while: { $0 == " " })
            guard rest.first == "\"" else { return nil }
            // Walks the line's own UTF-8 view: no copy of the rest of the line per field.
            let bytes = rest.utf8
            var value: [UInt8] = []
            var i = bytes.index(after: bytes.startIndex)
            func byte(_ offset: Int) -> UInt8? {
                guard let at = bytes.index(i, offsetBy: offset, limitedBy: bytes.endIndex), at < bytes.endIndex else { return nil }
                return bytes[at]
            }
            while i < bytes.endIndex {
                let current = bytes[i]
                if current == UInt8(ascii: "\\"), let next = byte(1) {
                    if next == UInt8(ascii: "x"), let high = byte(2).flatMap(hexValue), let low = byte(3).flatMap(hexValue) {
                        value.append(high << 4 | low)
                        i = bytes.index(i, offsetBy: 4)
                        continue
                    }
                    value.append(Self.whitespaceEscapes[next] ?? next)
                    i = bytes.index(i, offsetBy: 2)
                    continue
                }
                if current == UInt8(ascii: "\"") {
                    rest = rest[bytes.index(after: i)...]   // after an ASCII quote: a character boundary
                    return String(decoding: value, as: UTF8.self)
                }
                value.append(current)
                i = bytes.index(after: i)
            }
            return nil
        }
        guard let ip = word(), let ident = word(), let user = word(), let time = bracketed(),
              let request = quoted(), let status = word(), let bytes = word(), Int(status) != nil,
              let iso = isoTime(time) else { return nil }
        var fields = ["ip": ip, "ident": ident, "user": user, "time": iso, "status": status, "bytes": bytes]
        let parts = request.split(separator: " ", omittingEmptySubsequences: true)
        fields["method"] = parts.count > 0 ? String(parts[0]) : ""
        fields["path"] = parts.count > 1 ? String(parts[1]) : ""
        fields["protocol"] = parts.count > 2 ? String(parts[2]) : ""
        // Combined format: referrer and user agent, each closed. A line cut off inside
        // one (a truncated log) is not a page view of unknown origin: it is rejected.
        // Fields after the user agent (nginx's X-Forwarded-For, say) are allowed.
        if !rest.drop(while: { $0 == " " }).isEmpty {
            guard let referrer = quoted() else { return nil }
            fields["referrer"] = referrer
            if !rest.drop(while: { $0 == " " }).isEmpty {
                guard let agent = quoted() else { return nil }
                fields["user_agent"] = agent
            }
        }
        return fields
    }

    /// C-style escapes of whitespace, as Apache writes them in quoted fields.
    private static let whitespaceEscapes: [UInt8: UInt8] = [UInt8(ascii: "n"): 0x0A, UInt8(ascii: "t"): 0x09, UInt8(ascii: "r"): 0x0D,
                                                            UInt8(ascii: "v"): 0x0B, UInt8(ascii: "f"): 0x0C]

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static let months = ["Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
                                 "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12]

    /// `10/Oct/2000:13:55:36 -0700` → `2000-10-10T13:55:36-07:00`.
    static func isoTime(_ text: String) -> String? {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == ":" || $0 == " " })
        guard parts.count == 7, let month = months[String(parts[1])], parts[0].count == 2, parts[2].count == 4,
              parts[6].count == 5 else { return nil }
        let zone = parts[6]
        return "\(parts[2])-\(month < 10 ? "0" : "")\(month)-\(parts[0])T\(parts[3]):\(parts[4]):\(parts[5])"
            + "\(zone.prefix(3)):\(zone.suffix(2))"
    }
}
