/// Text from input (rejected values, file names, error messages) made safe to print: a
/// control character in a file name or a rejected cell could move the cursor, recolour
/// the terminal, or forge a summary line with a newline. Every C0 and C1 control, DEL
/// and the bidirectional overrides (which reorder what a reader sees) are shown as
/// escapes instead: `\n`, `\r`, `\t`, `\x1b`, `\u{202e}`.
enum TerminalText {
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else { out.append(scalar); continue }
            let escaped: String
            switch scalar {
            case "\n": escaped = "\\n"
            case "\r": escaped = "\\r"
            case "\t": escaped = "\\t"
            default:
                let hex = String(scalar.value, radix: 16)
                escaped = scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
            }
            out.append(contentsOf: escaped.unicodeScalars)
        }
        return String(out)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
