/// Shell-style globs on file names: `*` any run, `?` one character, `[abc]` a set.
public enum Glob {
    public static func matches(pattern: String, _ name: String) -> Bool {
        match(Array(pattern), 0, Array(name), 0)
    }

    private static func match(_ p: [Character], _ pi: Int, _ s: [Character], _ si: Int) -> Bool {
        var pi = pi, si = si
        var starP = -1, starS = -1
        while si < s.count {
            if pi < p.count, p[pi] == "*" {
                starP = pi; starS = si; pi += 1
                continue
            }
            if pi < p.count, matchOne(p, &pi, s[si]) {
                si += 1
                continue
            }
            if starP >= 0 {
                pi = starP + 1; starS += 1; si = starS
                continue
            }
            return false
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Matches one pattern element at `pi` against `c`, advancing `pi` past it on success.
    private static func matchOne(_ p: [Character], _ pi: inout Int, _ c: Character) -> Bool {
        switch p[pi] {
        case "?": pi += 1; return true
        case "[":
            guard let close = p[(pi + 1)...].firstIndex(of: "]") else { if c == "[" { pi += 1; return true }; return false }
            let set = p[(pi + 1)..<close]
            var found = false
            var i = set.startIndex
            while i < set.endIndex {
                if i + 2 < set.endIndex, set[i + 1] == "-" {
                    if set[i] <= c && c <= set[i + 2] { found = true }
                    i += 3
                } else {
                    if set[i] == c { found = true }
                    i += 1
                }
            }
            if found { pi = close + 1 }
            return found
        default:
            if p[pi] == c { pi += 1; return true }
            return false
        }
    }
}
