/// Turns a `utm_source` tag into the referring site it stands for, so that a visit that
/// arrived without a referrer (apps and mail clients send none) is still credited, and
/// the many spellings of one source count as one. Aliases are matched ignoring case;
/// config `[utm_sources]` entries extend and override them. Email sources become the
/// domain `email` (category email): mail carries no referring site.
public struct UTMSources: Sendable {
    /// alias (lower-case) → domain, as documented in the README.
    public static let builtIn: [String: String] = {
        var table: [String: String] = [:]
        func add(_ domain: String, _ aliases: [String]) { for alias in aliases { table[alias] = domain } }
        add("linkedin.com", ["linkedin", "linkedin.com", "www.linkedin.com", "li", "lnkd", "lnkd.in"])
        add("twitter.com", ["twitter", "twitter.com", "x", "x.com", "tw", "t.co"])
        add("facebook.com", ["facebook", "facebook.com", "fb", "fb.com", "meta", "m.facebook.com", "l.facebook.com"])
        add("instagram.com", ["instagram", "instagram.com", "ig"])
        add("youtube.com", ["youtube", "youtube.com", "yt"])
        add("reddit.com", ["reddit", "reddit.com"])
        add("news.ycombinator.com", ["hackernews", "hacker-news", "hn", "news.ycombinator.com"])
        add("google.com", ["google", "google.com", "adwords", "googleads"])
        add("bing.com", ["bing", "bing.com"])
        add("email", ["email", "e-mail", "newsletter", "mail", "mailchimp", "sendgrid", "hubspot", "mailjet", "brevo"])
        return table
    }()

    private let table: [String: String]

    public init(overrides: [String: String] = [:]) {
        var table = Self.builtIn
        for (alias, domain) in overrides { table[alias.lowercased()] = domain.lowercased() }
        self.table = table
    }

    /// The domain a `utm_source` value stands for: an alias, else the value itself when
    /// it looks like a domain, else nil (an unknown tag says nothing reliable).
    public func domain(for source: String) -> String? {
        let key = source.trimmingASCIIWhitespace().lowercased()
        if let domain = table[key] { return domain }
        if key.contains("."), !key.contains(" "), let url = CanonicalURL("https://" + key) { return url.host }
        return nil
    }

    /// The `utm_source` parameter of a raw URL, if any. Works on the UTF-8 bytes (this
    /// runs for every page view without a referrer); decodes `+` and `%XX` only when present.
    public static func source(inURL raw: String) -> String? {
        var raw = raw
        return raw.withUTF8 { source(inURLBytes: $0) }
    }

    /// `source(inURL:)` of a URL's UTF-8 bytes.
    public static func source(inURLBytes bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let question = bytes.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        let end = bytes[question...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        var start = question + 1
        while start < end {
            let pairEnd = bytes[start..<end].firstIndex(of: UInt8(ascii: "&")) ?? end
            if let equals = bytes[start..<pairEnd].firstIndex(of: UInt8(ascii: "=")), equals - start == 10,
               isUTMSource(bytes[start..<equals]) {
                let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[(equals + 1)..<pairEnd]), as: UTF8.self)
                if !value.utf8.contains(UInt8(ascii: "%")) && !value.utf8.contains(UInt8(ascii: "+")) { return value }
                let spaced = value.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            start = pairEnd + 1
        }
        return nil
    }

    /// Whether ten bytes spell `utm_source` in any case.
    private static func isUTMSource(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        zip(name, "utm_source".utf8).allSatisfy { $0 | 0x20 == $1 | 0x20 }
    }
}

import Foundation
