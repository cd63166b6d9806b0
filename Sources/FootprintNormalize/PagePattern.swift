/// A page pattern of the config (`[[goals]]`, `[[topics]]`): a URL in which `*` matches
/// any run of characters, compared with content items in canonical form.
///
/// The pattern is made canonical itself (host lower-cased, no `www.`, no trailing slash,
/// no tracking parameters), so `https://www.Acme.example/thanks/` matches the item
/// `https://acme.example/thanks`. A pattern without `?` ignores the item's query string:
/// a thank-you page reached as `/thanks?email=…` is still that page. A pattern with `?`
/// compares the query too.
public struct PagePattern: Sendable, Equatable {
    /// The canonical pattern split at its stars: the item must start with the first
    /// piece, end with the last, and hold the others in order between.
    private let pieceBytes: [[UInt8]]
    let comparesQuery: Bool

    /// A stand-in for `*` while the pattern is made canonical: a control character no
    /// canonical URL holds.
    private static let star: Character = "\u{1}"

    public init?(_ pattern: String) {
        comparesQuery = pattern.contains("?")
        let marked = String(pattern.map { $0 == "*" ? Self.star : $0 })
        guard let canonical = CanonicalURL(marked) else { return nil }
        var text = canonical.text
        // A pattern ending in "/*" keeps its slash through canonical form (the star
        // follows it); one ending in "/" loses it, as the items do.
        if !comparesQuery, let question = text.firstIndex(of: "?") { text = String(text[..<question]) }
        pieceBytes = text.split(separator: Self.star, omittingEmptySubsequences: false).map { Array($0.utf8) }
    }

    /// Whether a content item (its canonical URL text) is a page of this pattern.
    /// Compared as bytes: every new content item of a load meets every pattern, and
    /// 200,000 items took seconds with Substring's character counting.
    public func matches(_ url: String) -> Bool {
        var url = url
        return url.withUTF8 { whole in
            var subject = whole[...]
            if !comparesQuery, let question = subject.firstIndex(of: UInt8(ascii: "?")) { subject = subject[..<question] }
            let first = pieceBytes[0]
            guard pieceBytes.count > 1 else { return subject.elementsEqual(first) }
            let last = pieceBytes[pieceBytes.count - 1]
            guard subject.count >= first.count + last.count, subject.starts(with: first),
                  subject.suffix(last.count).elementsEqual(last) else { return false }
            var rest = subject.dropFirst(first.count).dropLast(last.count)
            for piece in pieceBytes.dropFirst().dropLast() where !piece.isEmpty {
                guard let found = Self.firstRange(of: piece, in: rest) else { return false }
                rest = rest[found...]
            }
            return true
        }
    }

    /// The index just after the first occurrence of `needle` in `haystack`.
    private static func firstRange(of needle: [UInt8], in haystack: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var start = haystack.startIndex
        while start + needle.count <= haystack.endIndex {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start + needle.count }
            start += 1
        }
        return nil
    }
}
