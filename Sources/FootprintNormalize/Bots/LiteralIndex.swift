import Foundation
import FootprintConfig

/// Finds which of many short literals occur in a text, in one pass: the literals are
/// bucketed by their first two bytes, so each position of the text costs one bucket
/// look-up and a comparison with the few literals there. Text and literals are
/// compared as lower-case ASCII (the text is given lower-cased, as UTF-16 units).
struct LiteralIndex {
    private let literals: [[UInt16]]
    private var buckets: [UInt16: [Int]] = [:]

    init(_ texts: [String]) {
        literals = texts.map { Array($0.utf16) }
        for (index, literal) in literals.enumerated() where literal.count >= 2 {
            buckets[Self.key(literal[0], literal[1]), default: []].append(index)
        }
    }

    private static func key(_ a: UInt16, _ b: UInt16) -> UInt16 { (a & 0xFF) << 8 | (b & 0xFF) }

    /// The indices of the literals that occur in `text`, ascending.
    func found(in text: [UInt16]) -> [Int] {
        guard text.count >= 2 else { return [] }
        var hits = Set<Int>()
        for position in 0..<(text.count - 1) {
            guard text[position] < 128, text[position + 1] < 128,
                  let candidates = buckets[Self.key(text[position], text[position + 1])] else { continue }
            for index in candidates where !hits.contains(index) {
                let literal = literals[index]
                guard position + literal.count <= text.count else { continue }
                var equal = true
                for offset in 2..<literal.count where text[position + offset] != literal[offset] { equal = false; break }
                if equal { hits.insert(index) }
            }
        }
        return hits.sorted()
    }
}

/// A text's UTF-16 units with ASCII letters lower-cased: what LiteralIndex compares.
func asciiLowercasedUTF16(_ text: String) -> [UInt16] {
    text.utf16.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
}

/// Which of a list of patterns can match a text: a pattern with a literal that every
/// match of it contains (RegexText.requiredLiteral) only when that literal is in the
/// text, the others always. Shared by the crawler patterns and the browser tokens.
struct LiteralPrefilter {
    private let always: [Int]
    private let owners: [Int]
    private let index: LiteralIndex

    init(_ patterns: [String]) {
        var always: [Int] = [], owners: [Int] = [], texts: [String] = []
        for (position, pattern) in patterns.enumerated() {
            if let literal = RegexText.requiredLiteral(pattern) {
                owners.append(position)
                texts.append(literal)
            } else {
                always.append(position)
            }
        }
        self.always = always
        self.owners = owners
        index = LiteralIndex(texts)
    }

    /// Positions in the list of the patterns that can match `text` (given lower-cased,
    /// as UTF-16 units), ascending.
    func candidates(in text: [UInt16]) -> [Int] {
        (always + index.found(in: text).map { owners[$0] }).sorted()
    }
}

/// Crawler-Detect's generic pattern `[a-z0-9\-_]*(bot|crawl|spider|…)`, matched the way
/// ICU's backtracking matches it, without the backtracking: the match starts at the
/// first run of `[a-z0-9-_]` characters that holds a keyword, and ends after the
/// rightmost keyword in that run (the greedy run gives back one character at a time;
/// at each position the keywords are tried in their order).
struct KeywordRuns {
    let keywords: [[UInt16]]

    init?(pattern: String) {
        let prefix = "[a-z0-9\\-_]*("
        guard pattern.hasPrefix(prefix), pattern.hasSuffix(")") else { return nil }
        let words = pattern.dropFirst(prefix.count).dropLast().split(separator: "|", omittingEmptySubsequences: false)
        guard !words.isEmpty, words.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }) else { return nil }
        keywords = words.map { Array(String($0).utf16) }
    }

    static func inRun(_ unit: UInt16) -> Bool {
        (unit >= 97 && unit <= 122) || (unit >= 48 && unit <= 57) || unit == 45 || unit == 95
    }

    /// The match in lower-cased UTF-16 `text`, in UTF-16 units.
    func firstMatch(in text: [UInt16]) -> NSRange? {
        var start = 0
        while start < text.count {
            guard Self.inRun(text[start]) else { start += 1; continue }
            var end = start
            while end < text.count && Self.inRun(text[end]) { end += 1 }
            var position = end - 1
            while position >= start {
                for word in keywords where position + word.count <= end {
                    var equal = true
                    for offset in 0..<word.count where text[position + offset] != word[offset] { equal = false; break }
                    if equal { return NSRange(location: start, length: position + word.count - start) }
                }
                position -= 1
            }
            start = end
        }
        return nil
    }
}
