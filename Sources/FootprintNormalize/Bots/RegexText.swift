/// What can be read from a regular expression's text (ICU syntax) without running it:
/// a literal every match must contain, for pre-filtering the bot list. (Whether a
/// config pattern is safe to run is FootprintConfig's `RegexSafety`.)
enum RegexText {
    /// The longest run of literal characters that every match contains, lower-cased,
    /// or nil when there is none of at least two ASCII characters (or the pattern
    /// alternates at the top level, or uses escapes this reader does not know).
    /// Groups and classes are passed over whole: what is inside may be optional.
    static func requiredLiteral(_ pattern: String) -> String? {
        let chars = Array(pattern.unicodeScalars)
        var runs: [[UInt8]] = []
        var current: [UInt8] = []
        func endRun() { if !current.isEmpty { runs.append(current); current = [] } }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                guard i + 1 < chars.count else { return nil }
                let next = chars[i + 1]
                if next.isASCII && !(next.properties.isAlphabetic || ("0"..."9").contains(next)) {
                    current.append(UInt8(next.value))   // \/ \. \( \- \ : the character itself
                } else if ["d", "D", "w", "W", "s", "S", "b", "B"].contains(next) {
                    endRun()
                } else {
                    return nil                           // \Q…\E, \x{…}, \p{…}, back-references
                }
                i += 2
            case "(":
                endRun()
                guard let end = closing(of: chars, from: i) else { return nil }
                i = end + 1
            case "[":
                endRun()
                guard let end = classEnd(of: chars, from: i) else { return nil }
                i = end + 1
            case "|", ")":
                return nil
            case ".", "^", "$":
                endRun(); i += 1
            case "?", "*":
                if !current.isEmpty { current.removeLast() }   // the character before may be absent
                endRun(); i += 1
            case "{":
                if !current.isEmpty { current.removeLast() }
                endRun()
                while i < chars.count && chars[i] != "}" { i += 1 }
                i += 1
            case "+":
                endRun(); i += 1                                // present at least once; what follows is not adjacent
            default:
                if c.isASCII { current.append(UInt8(c.value)) } else { endRun() }
                i += 1
            }
        }
        endRun()
        guard let longest = runs.max(by: { $0.count < $1.count }), longest.count >= 2 else { return nil }
        return String(decoding: longest.map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// The index of the `)` that closes the group opening at `start`.
    static func closing(of chars: [Unicode.Scalar], from start: Int) -> Int? {
        var depth = 0
        var i = start
        while i < chars.count {
            switch chars[i] {
            case "\\": i += 1
            case "[": guard let end = classEnd(of: chars, from: i) else { return nil }; i = end
            case "(": depth += 1
            case ")": depth -= 1; if depth == 0 { return i }
            default: break
            }
            i += 1
        }
        return nil
    }

    /// The index of the `]` that closes the class opening at `start` (`[]…]` and `[^]…]`
    /// take a leading `]` literally).
    static func classEnd(of chars: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start + 1
        if i < chars.count && chars[i] == "^" { i += 1 }
        if i < chars.count && chars[i] == "]" { i += 1 }
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "[" { guard let end = classEnd(of: chars, from: i) else { return nil }; i = end + 1; continue }
            if chars[i] == "]" { return i }
            i += 1
        }
        return nil
    }
}
