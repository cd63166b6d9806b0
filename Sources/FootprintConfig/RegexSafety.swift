/// Whether a regular expression from the config (ICU syntax) is safe to run on hostile
/// input: checked from its text when the config is read.
public enum RegexSafety {
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

    // The class and group readers below are also in FootprintNormalize's RegexText,
    // which cannot import this module.
    /// The index of the `)` that closes the group opening at `start`.
    private static func closing(of chars: [Unicode.Scalar], from start: Int) -> Int? {
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
    private static func classEnd(of chars: [Unicode.Scalar], from start: Int) -> Int? {
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
