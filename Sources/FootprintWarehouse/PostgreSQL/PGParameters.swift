import CLibPQ
import Foundation

/// Report SQL names its parameters (`:first`), as SQLite takes them; PostgreSQL numbers
/// them (`$1`). This rewrites the names outside quotes, comments and `::` casts, and
/// passes each value as text with its type (int8, float8, text), so the server never
/// has to guess a parameter's type from where it stands.
struct PGParameters {
    let sql: String
    private var values: [SQLValue] = []

    init(sql text: String, arguments: [String: SQLValue]) {
        guard !arguments.isEmpty else { sql = text; return }
        var numbers: [String: Int] = [:]
        var ordered: [SQLValue] = []
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let bytes = Array(text.utf8)
        var i = 0
        func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
            (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || byte == 95 || (!first && byte >= 48 && byte <= 57)
        }
        var chunkStart = 0
        func flush(to end: Int) { out += String(decoding: bytes[chunkStart..<end], as: UTF8.self) }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 39 || byte == 34 {  // ' or ": skip to the closing quote (doubled quotes included)
                i += 1
                while i < bytes.count && bytes[i] != byte { i += 1 }
                i += 1
            } else if byte == 45, i + 1 < bytes.count, bytes[i + 1] == 45 {  // -- comment
                while i < bytes.count && bytes[i] != 10 { i += 1 }
            } else if byte == 58, i + 1 < bytes.count, bytes[i + 1] == 58 {  // :: cast
                i += 2
            } else if byte == 58, i + 1 < bytes.count, isNameByte(bytes[i + 1], first: true) {
                var end = i + 1
                while end < bytes.count && isNameByte(bytes[end], first: false) { end += 1 }
                let name = String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
                if let value = arguments[name] {
                    flush(to: i)
                    let number: Int
                    if let known = numbers[name] { number = known } else {
                        ordered.append(value)
                        number = ordered.count
                        numbers[name] = number
                    }
                    out += "$\(number)"
                    chunkStart = end
                }
                i = end
            } else {
                i += 1
            }
        }
        flush(to: bytes.count)
        sql = out
        values = ordered
    }

    /// Calls `body` with the parameters' type OIDs and C strings (NULL for SQL NULL).
    func withParameters<T>(_ body: ([Oid], [UnsafePointer<CChar>?]) throws -> T) throws -> T {
        var types: [Oid] = []
        var texts: [String?] = []
        for value in values {
            switch value {
            case .null: types.append(0); texts.append(nil)
            case .integer(let number): types.append(20); texts.append(String(number))
            case .real(let number): types.append(701); texts.append(number.isFinite ? "\(number)" : (number.isNaN ? "NaN" : (number > 0 ? "Infinity" : "-Infinity")))
            case .text(let text): types.append(25); texts.append(text)
            }
        }
        let pointers = texts.map { $0.flatMap { strdup($0) } }
        defer { pointers.forEach { free($0) } }
        return try body(types, pointers.map { $0.map { UnsafePointer($0) } })
    }
}

/// Rows in COPY's text format: tab between columns, `\N` for NULL, and backslash,
/// tab, newline and carriage return escaped.
///
/// Every row a PostgreSQL load stages goes through here (a first load of 2 million page
/// views: 2 million rows of 19 columns, then its sessions, visits and visitor days), on
/// the thread that also reads and maps the file, so the common case is kept cheap:
/// integers written digit by digit (not through a String each), a text without a byte
/// to escape copied whole. Byte by byte, this was 16 % of that load's client time
/// (perf), the busiest function of the process.
enum PGCopyText {
    static func append(_ row: [SQLValue], to buffer: inout [UInt8]) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(9) }
            switch value {
            case .null: buffer.append(92); buffer.append(78)
            case .integer(let number): appendDecimal(number, to: &buffer)
            case .real(let number): buffer.append(contentsOf: "\(number)".utf8)
            case .text(var text):
                text.withUTF8 { bytes in
                    if !bytes.contains(where: { $0 == 92 || $0 == 9 || $0 == 10 || $0 == 13 || $0 == 0 }) {
                        buffer.append(contentsOf: bytes)
                        return
                    }
                    for byte in bytes {
                        switch byte {
                        case 92: buffer.append(92); buffer.append(92)
                        case 9: buffer.append(92); buffer.append(116)
                        case 10: buffer.append(92); buffer.append(110)
                        case 13: buffer.append(92); buffer.append(114)
                        // PostgreSQL text cannot hold NUL: it becomes U+FFFD (SQLite keeps it).
                        case 0: buffer.append(0xEF); buffer.append(0xBF); buffer.append(0xBD)
                        default: buffer.append(byte)
                        }
                    }
                }
            }
        }
        buffer.append(10)
    }

    /// The decimal digits of `number` (with a minus sign), as String(number) gives them.
    static func appendDecimal(_ number: Int64, to buffer: inout [UInt8]) {
        if number < 0 { buffer.append(45) }
        // The magnitude as unsigned: Int64.min has no positive counterpart.
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of UInt64.max
        withUnsafeMutableBytes(of: &digits) { room in
            var end = room.count
            repeat {
                end -= 1
                room[end] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                magnitude /= 10
            } while magnitude > 0 && end > 0
            buffer.append(contentsOf: room[end...])
        }
    }
}
