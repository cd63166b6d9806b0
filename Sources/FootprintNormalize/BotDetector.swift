import Foundation

/// Tells crawlers, monitors and scripts from people by their user agent, with the
/// maintained Crawler-Detect list (BotPatterns.swift) plus patterns from the config.
/// As Crawler-Detect does, ordinary browser tokens are removed first, then the rest is
/// matched against the crawler patterns. Results are cached per user agent, since a
/// site sees few distinct ones.
public final class BotDetector: @unchecked Sendable {
    private let crawlers: NSRegularExpression
    private let exclusions: NSRegularExpression
    private var cache = HashedTextCache<String?>(limit: 25_000)
    private let lock = NSLock()

    public struct PatternError: Error, CustomStringConvertible {
        public let pattern: String
        public var description: String { "bot pattern '\(pattern)' is not a valid regular expression" }
    }

    public init(extraPatterns: [String] = []) throws {
        for pattern in extraPatterns where (try? NSRegularExpression(pattern: pattern)) == nil {
            throw PatternError(pattern: pattern)
        }
        crawlers = try NSRegularExpression(pattern: "(" + (crawlerPatterns + extraPatterns).joined(separator: "|") + ")",
                                           options: [.caseInsensitive])
        exclusions = try NSRegularExpression(pattern: "(" + crawlerExclusions.joined(separator: "|") + ")",
                                             options: [.caseInsensitive])
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
        // make 1,500 alternatives scan megabytes.
        let userAgent = String(full.prefix(512))
        let whole = NSRange(userAgent.startIndex..., in: userAgent)
        let remainder = exclusions.stringByReplacingMatches(in: userAgent, range: whole, withTemplate: "")
            .trimmingCharacters(in: .whitespaces)
        if remainder.isEmpty { return nil }
        guard let hit = crawlers.firstMatch(in: remainder, range: NSRange(remainder.startIndex..., in: remainder)),
              let range = Range(hit.range, in: remainder) else { return nil }
        return String(remainder[range])
    }
}
