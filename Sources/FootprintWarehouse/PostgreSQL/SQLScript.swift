/// A schema version's SQL split into its statements, each sent on its own. On a database
/// spread over Citus, DDL on a distributed or reference table (an index on group
/// activities, say) is passed to the workers as the text of the query that held it, and
/// a text of several statements fails there ("cannot insert multiple commands into a
/// prepared statement"): every version after the first failed on such a database.
///
/// Splits at semicolons outside quotes ('…', "…"), dollar quotes ($$…$$, $tag$…$tag$)
/// and comments (-- to the end of the line, /* … */); empty statements are dropped.
enum SQLScript {
    static func statements(_ sql: String) -> [String] {
        let bytes = Array(sql.utf8)
        var statements: [String] = []
        var start = 0, i = 0
        func flush(upTo end: Int) {
            let text = String(decoding: bytes[start..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { statements.append(text) }
        }
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                let quote = bytes[i]
                i += 1
                while i < bytes.count && bytes[i] != quote { i += 1 }
                i += 1
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                i += 2
                while i + 1 < bytes.count && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
            case UInt8(ascii: "$"):
                // A dollar quote's tag: $$ or $name$ (a letter or _ first, as PostgreSQL has it).
                var j = i + 1
                while j < bytes.count, bytes[j] == UInt8(ascii: "_") || (bytes[j] | 0x20 >= UInt8(ascii: "a") && bytes[j] | 0x20 <= UInt8(ascii: "z"))
                    || (j > i + 1 && bytes[j] >= UInt8(ascii: "0") && bytes[j] <= UInt8(ascii: "9")) { j += 1 }
                guard j < bytes.count, bytes[j] == UInt8(ascii: "$") else { i += 1; continue }
                let tag = Array(bytes[i...j])
                i = j + 1
                while i < bytes.count && !bytes[i...].starts(with: tag) { i += 1 }
                i += tag.count
            case UInt8(ascii: ";"):
                flush(upTo: i)
                i += 1
                start = i
            default:
                i += 1
            }
        }
        flush(upTo: min(i, bytes.count))
        return statements
    }
}
