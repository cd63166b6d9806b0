/// Finds whole-word, case-insensitive occurrences of terms in text: "Acme" matches
/// "acme's" and "ACME," but not "Acmeology" or "MegaAcme". A term may itself start
/// with a symbol (`@acme`, `#acme`) or hold spaces (`Acme Corp`).
public struct TermMatcher: Sendable {
    private let terms: [[Character]]

    public init(terms: [String]) {
        self.terms = terms.map { Array($0.lowercased()) }.filter { !$0.isEmpty }
    }

    /// Whether any of the terms occurs in any of the texts as a whole word.
    public func matches(_ texts: String...) -> Bool {
        texts.contains { text in
            let haystack = Array(text.lowercased())
            return terms.contains { Self.occurs($0, in: haystack) }
        }
    }

    static func occurs(_ term: [Character], in text: [Character]) -> Bool {
        guard term.count <= text.count else { return false }
        let first = term[0]
        var start = 0
        while start + term.count <= text.count {
            if text[start] == first && text[start..<(start + term.count)].elementsEqual(term) {
                let beforeOK = start == 0 || !isWordCharacter(text[start - 1]) || !isWordCharacter(first)
                let end = start + term.count
                let afterOK = end == text.count || !isWordCharacter(text[end]) || !isWordCharacter(term[term.count - 1])
                if beforeOK && afterOK { return true }
            }
            start += 1
        }
        return false
    }

    static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
}
