/// Escapes text for HTML and SVG, in element content and in quoted attributes alike.
///
/// It works on UTF-8 bytes, not on Swift `Character`s: a Character is a grapheme
/// cluster, and a Unicode Prepend character (U+0600 ARABIC NUMBER SIGN, say) fuses with a
/// following `<` into one Character that is not equal to `"<"`, so an escaper that
/// compares Characters lets the `<` through raw. The five bytes replaced here never occur
/// inside a multi-byte UTF-8 sequence, so a byte walk catches every one of them.
/// NUL and the other C0 controls but tab, LF and CR are replaced by U+FFFD: HTML forbids
/// them and a browser's handling of them differs.
public func escape(_ text: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count + 16)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
        case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
        case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
        case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
        case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
        case 0x09, 0x0A, 0x0D: out.append(byte)
        case 0x00..<0x20, 0x7F: out.append(contentsOf: [0xEF, 0xBF, 0xBD])
        default: out.append(byte)
        }
    }
    return String(decoding: out, as: UTF8.self)
}
