import Foundation
import FootprintConfig

/// Tells crawlers, monitors and scripts from people by their user agent, with the
/// maintained Crawler-Detect list (BotPatterns.swift) plus patterns from the config.
/// As Crawler-Detect does, ordinary browser tokens are removed first, then the rest is
/// matched against the crawler patterns. Results are cached per user agent, since a
/// site sees few distinct ones.
///
/// The answer is the one Crawler-Detect's single alternation `(p1|p2|…)` gives — the
/// leftmost match, the earlier pattern on a tie — but found in linear time: ICU ran
/// the 1,462 alternatives at every position and backtracked through the generic
/// `[a-z0-9\-_]*(bot|crawl|…)` pattern quadratically, 44 ms for a hostile 512-character
/// agent. Now each pattern runs alone, and only when the literal text every match of it
/// contains is in the agent (`LiteralIndex`, one pass over the agent); the generic
/// pattern is matched by `KeywordRuns` without backtracking. The few patterns without
/// such a literal always run. Letters are compared in ASCII case only, where ICU also
/// folds a few non-ASCII letters (the Kelvin sign as `k`).
public final class BotDetector: @unchecked Sendable {
    private struct Pattern { let regex: NSRegularExpression; let order: Int }
    private let alwaysRun: [Pattern]
    private let literalPatterns: [Pattern]
    private let literals: LiteralIndex
    private let keywordRuns: (runs: KeywordRuns, order: Int)?
    private let exclusions: NSRegularExpression
    private var cache = HashedTextCache<String?>(limit: 25_000)
    private let lock = NSLock()

    public struct PatternError: Error, CustomStringConvertible {
        public let pattern: String
        public let reason: String
        public var description: String { "bot pattern '\(pattern)' \(reason)" }
    }

    /// Throws PatternError for a config pattern that is not a regular expression.
    public init(extraPatterns: [String] = []) throws {
        for pattern in extraPatterns {
            if let reason = Self.problem(with: pattern) { throw PatternError(pattern: pattern, reason: reason) }
        }
        var always: [Pattern] = [], withLiteral: [Pattern] = [], texts: [String] = []
        var keywords: (KeywordRuns, Int)?
        for (order, text) in (crawlerPatterns + extraPatterns).enumerated() {
            if keywords == nil, let runs = KeywordRuns(pattern: text) { keywords = (runs, order); continue }
            let pattern = Pattern(regex: try NSRegularExpression(pattern: text, options: [.caseInsensitive]), order: order)
            if let literal = RegexText.requiredLiteral(text) {
                withLiteral.append(pattern)
                texts.append(literal)
            } else {
                always.append(pattern)
            }
        }
        alwaysRun = always
        literalPatterns = withLiteral
        literals = LiteralIndex(texts)
        keywordRuns = keywords.map { (runs: $0.0, order: $0.1) }
        exclusions = try NSRegularExpression(pattern: "(" + crawlerExclusions.joined(separator: "|") + ")",
                                             options: [.caseInsensitive])
    }

    /// Why a config pattern cannot be used, or nil when it can. (The config reader also
    /// refuses patterns that repeat a repeated group: RegexText.hasNestedRepetition.)
    public static func problem(with pattern: String) -> String? {
        (try? NSRegularExpression(pattern: pattern)) == nil ? "is not a valid regular expression" : nil
    }

    /// The part of the user agent that marks it as a bot ("Googlebot"), or nil for a
    /// person's browser.
    public func botName(_ userAgent: String) -> String? {
        // utf8.count is O(1) for native strings; cutting a short agent would copy it.
        let userAgent = userAgent.utf8.count <= 512 ? userAgent : String(userAgent.prefix(512))
        let key = HashedText(userAgent)
        lock.lock()
        if let cached = cache.get(key) { lock.unlock(); return cached }
        lock.unlock()
        let found = match(userAgent)
        lock.lock()
        cache.insert(key, found)
        lock.unlock()
        return found
    }

    /// `botName` of a user agent given as UTF-8 bytes: a user agent seen before (nearly
    /// every row's) is answered from the cache without making a String of it.
    public func botName(bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.count <= 512 {
            let hash = HashedText.hash(of: bytes)
            lock.lock()
            if let cached = cache.get(bytes: bytes, hash: hash) { lock.unlock(); return cached }
            lock.unlock()
        }
        return botName(String(decoding: bytes, as: UTF8.self))
    }

    private func match(_ full: String) -> String? {
        // Real user agents are a few hundred characters; a hostile 10 MB one must not
        // make the patterns scan megabytes.
        let userAgent = String(full.prefix(512))
        let whole = NSRange(userAgent.startIndex..., in: userAgent)
        let remainder = exclusions.stringByReplacingMatches(in: userAgent, range: whole, withTemplate: "")
            .trimmingCharacters(in: .whitespaces)
        if remainder.isEmpty { return nil }
        let all = NSRange(remainder.startIndex..., in: remainder)
        let lower = remainder.utf16.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        var best: (range: NSRange, order: Int)?
        func consider(_ range: NSRange, _ order: Int) {
            if let current = best, (current.range.location, current.order) <= (range.location, order) { return }
            best = (range, order)
        }
        for pattern in alwaysRun {
            if let hit = pattern.regex.firstMatch(in: remainder, range: all) { consider(hit.range, pattern.order) }
        }
        for index in literals.found(in: lower) {
            let pattern = literalPatterns[index]
            if let current = best, current.order < pattern.order && current.range.location == 0 { continue }
            if let hit = pattern.regex.firstMatch(in: remainder, range: all) { consider(hit.range, pattern.order) }
        }
        if let keywordRuns, let range = keywordRuns.runs.firstMatch(in: lower) { consider(range, keywordRuns.order) }
        guard let best, let range = Range(best.range, in: remainder) else { return nil }
        return String(remainder[range])
    }
}
