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

    /// The `utm_source` parameter of a raw URL, if any.
    public static func source(inURL raw: String) -> String? {
        guard let question = raw.firstIndex(of: "?") else { return nil }
        var query = raw[raw.index(after: question)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0].lowercased() == "utm_source" {
                let value = String(parts[1]).replacingOccurrences(of: "+", with: " ")
                return value.removingPercentEncoding ?? value
            }
        }
        return nil
    }
}

import Foundation
