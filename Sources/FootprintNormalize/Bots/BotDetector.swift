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
    /// Every pattern but the generic one, in the list's order, and which can match.
    private let patterns: [Pattern]
    private let prefilter: LiteralPrefilter
    private let keywordRuns: (runs: KeywordRuns, order: Int)?
    private let exclusions: NSRegularExpression
    /// The browser tokens removed first, by the literal each contains (`Exclusions`).
    private let exclusionParts: Exclusions
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
        var compiled: [Pattern] = [], texts: [String] = []
        var keywords: (KeywordRuns, Int)?
        for (order, text) in (crawlerPatterns + extraPatterns).enumerated() {
            if keywords == nil, let runs = KeywordRuns(pattern: text) { keywords = (runs, order); continue }
            compiled.append(Pattern(regex: try NSRegularExpression(pattern: text, options: [.caseInsensitive]), order: order))
            texts.append(text)
        }
        patterns = compiled
        prefilter = LiteralPrefilter(texts)
        keywordRuns = keywords.map { (runs: $0.0, order: $0.1) }
        exclusions = try NSRegularExpression(pattern: "(" + crawlerExclusions.joined(separator: "|") + ")",
                                             options: [.caseInsensitive])
        exclusionParts = Exclusions(crawlerExclusions)
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
        let remainder = (exclusionParts.regex(for: userAgent) ?? exclusions)
            .stringByReplacingMatches(in: userAgent, range: whole, withTemplate: "")
            .trimmingCharacters(in: .whitespaces)
        if remainder.isEmpty { return nil }
        let all = NSRange(remainder.startIndex..., in: remainder)
        let lower = asciiLowercasedUTF16(remainder)
        var best: (range: NSRange, order: Int)?
        func consider(_ range: NSRange, _ order: Int) {
            if let current = best, (current.range.location, current.order) <= (range.location, order) { return }
            best = (range, order)
        }
        for index in prefilter.candidates(in: lower) {
            let pattern = patterns[index]
            if let current = best, current.order < pattern.order && current.range.location == 0 { continue }
            if let hit = pattern.regex.firstMatch(in: remainder, range: all) { consider(hit.range, pattern.order) }
        }
        if let keywordRuns, let range = keywordRuns.runs.firstMatch(in: lower) { consider(range, keywordRuns.order) }
        guard let best, let range = Range(best.range, in: remainder) else { return nil }
        return String(remainder[range])
    }
}

/// Crawler-Detect removes browser tokens with one alternation of about fifty patterns,
/// which ICU tries at every position of the agent: 15 µs an agent, and with browser
/// versions by the thousand (real traffic) nearly every agent is new to the cache (half
/// of a first load's time on `scripts/bench-nightly`'s varied data). An alternative whose
/// required literal is not in the agent cannot match anywhere in it, so the alternation
/// of only the others, in their order, removes exactly the same text. Agents share few
/// such sets (the tokens are the same, the versions differ), so each set's regex is
/// compiled once. An agent with a non-ASCII byte takes the whole alternation: ICU folds
/// a few non-ASCII letters to ASCII ones, which the literal test would miss.
final class Exclusions: @unchecked Sendable {
    private let patterns: [String]
    private let prefilter: LiteralPrefilter
    private var compiled: [[Int]: NSRegularExpression] = [:]
    private let lock = NSLock()

    init(_ patterns: [String]) {
        self.patterns = patterns
        prefilter = LiteralPrefilter(patterns)
    }

    /// The alternation of the exclusions that can match in `userAgent`, or nil when the
    /// whole one must be used (non-ASCII text, or too many distinct sets seen).
    func regex(for userAgent: String) -> NSRegularExpression? {
        guard userAgent.utf8.allSatisfy({ $0 < 128 }) else { return nil }
        let lower = asciiLowercasedUTF16(userAgent)
        let present = prefilter.candidates(in: lower)
        lock.lock()
        defer { lock.unlock() }
        if let regex = compiled[present] { return regex }
        guard compiled.count < 4_096,
              let regex = try? NSRegularExpression(pattern: "(" + (present.isEmpty ? "(?!)" : present.map { patterns[$0] }.joined(separator: "|")) + ")",
                                                   options: [.caseInsensitive]) else { return nil }
        compiled[present] = regex
        return regex
    }
}
