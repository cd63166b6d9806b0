import Foundation

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
    let pieces: [String]
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
        pieces = text.split(separator: Self.star, omittingEmptySubsequences: false).map(String.init)
    }

    /// Whether a content item (its canonical URL text) is a page of this pattern.
    public func matches(_ url: String) -> Bool {
        var subject = Substring(url)
        if !comparesQuery, let question = subject.firstIndex(of: "?") { subject = subject[..<question] }
        guard pieces.count > 1 else { return subject == pieces[0] }
        guard subject.hasPrefix(pieces[0]) else { return false }
        let last = pieces[pieces.count - 1]
        guard subject.count - pieces[0].count >= last.count, subject.hasSuffix(last) else { return false }
        var rest = subject.dropFirst(pieces[0].count).dropLast(last.count)
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let found = rest.range(of: piece) else { return false }
            rest = rest[found.upperBound...]
        }
        return true
    }
}
