/// What can be read from a regular expression's text (ICU syntax) without running it:
/// a literal every match must contain (the bot list is pre-filtered by it), and whether
/// it repeats a group that itself repeats, which backtracking takes exponential time on
/// (config patterns like that are refused).
public enum RegexText {
    /// The longest run of literal characters that every match contains, lower-cased,
    /// or nil when there is none of at least two ASCII characters (or the pattern
    /// alternates at the top level, or uses escapes this reader does not know).
    /// Groups and classes are passed over whole: what is inside may be optional.
    public static func requiredLiteral(_ pattern: String) -> String? {
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

    /// Whether a repeated group (`*`, `+`, `{n,}`) holds a repetition or an alternation
    /// itself: `(a+)+$`, `(\w*)*`, `(a|aa)+`. On a row that almost matches, ICU's
    /// backtracking tries exponentially many splits (one such pattern took 298 s on a
    /// single user agent).
    public static func hasNestedRepetition(_ pattern: String) -> Bool {
        let chars = Array(pattern.unicodeScalars)
        var stack: [Bool] = []          // per open group: does it hold a repetition or a `|`?
        var i = 0
        func markOpenGroup() { if !stack.isEmpty { stack[stack.count - 1] = true } }
        func repeatsAt(_ j: Int) -> Bool {
            guard j < chars.count else { return false }
            if chars[j] == "*" || chars[j] == "+" { return true }
            if chars[j] == "{" {
                var k = j + 1
                var text = ""
                while k < chars.count && chars[k] != "}" { text.unicodeScalars.append(chars[k]); k += 1 }
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                return parts.count == 2 && (parts[1].isEmpty || (Int(parts[1]) ?? 0) > 1) || (parts.count == 1 && (Int(parts[0]) ?? 0) > 1)
            }
            return false
        }
        while i < chars.count {
            switch chars[i] {
            case "\\":
                if repeatsAt(i + 2) { markOpenGroup() }
                i += 2
                continue
            case "[":
                guard let end = classEnd(of: chars, from: i) else { return false }
                i = end + 1
                if repeatsAt(i) { markOpenGroup() }
                continue
            case "(":
                stack.append(false)
                if i + 1 < chars.count && chars[i + 1] == "?" { i += 1 }   // (?: (?i) (?! are not quantifiers
            case ")":
                guard let inner = stack.popLast() else { return false }
                if repeatsAt(i + 1) {
                    if inner { return true }
                    markOpenGroup()
                } else if inner {
                    markOpenGroup()
                }
            case "|":
                markOpenGroup()
            default:
                if repeatsAt(i + 1) { markOpenGroup() }
            }
            i += 1
        }
        return false
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
