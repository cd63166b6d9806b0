import Foundation

/// A URL in the canonical form that CONTRACT.md section 3 compares URLs in: lower-case
/// scheme and host, no `www.`, no default port, no fragment, no `utm_*`, `fbclid` or
/// `gclid` parameters, no trailing slash. Userinfo is dropped (it is never content).
public struct CanonicalURL: Hashable, Sendable {
    public let text: String
    public let host: String
    /// A number no other URL made in this process has (made, not equal: the same text
    /// parsed twice gets two). It lets the loader, which sees the same few thousand
    /// URL values from the staging thread's cache millions of times, keep their keys
    /// in an array slot instead of hashing and comparing the text for every row
    /// (OrdinalKeyCache). Not part of the value: equality and hashing ignore it.
    public let ordinal: Int

    public static func == (a: CanonicalURL, b: CanonicalURL) -> Bool { a.text == b.text && a.host == b.host }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(host)
    }

    /// Tracking parameters that say how a visitor came, not what they saw.
    static func isTrackingParameter(_ name: Substring) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("utm_") || lower == "fbclid" || lower == "gclid"
    }

    /// A referring site known only by its domain (from a utm_source tag).
    public init(domainOnly host: String) {
        self.text = "https://" + host
        self.host = host
        self.ordinal = URLOrdinals.next()
    }

    /// Returns nil when the text has no host. A URL without a scheme whose first part
    /// looks like a host name (`example.com/x`) is read as https.
    public init?(_ raw: String) {
        var rest = Substring(raw.trimmingASCIIWhitespace())
        var scheme = "https"
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://"),
           rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
           !rest[..<colon].isEmpty {
            scheme = rest[..<colon].lowercased()
            rest = rest[rest.index(colon, offsetBy: 3)...]
        } else if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let afterAuthority = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = authority.lowercased()
        var port = ""
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            port = String(host[host.index(after: colon)...])
            host = String(host[..<colon])
        }
        if host.hasSuffix(".") { host.removeLast() }
        if host.hasPrefix("www.") { host.removeFirst(4) }
        guard !host.isEmpty, host.contains(".") || host == "localhost" || host.hasPrefix("["),
              !host.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") { port = "" }

        var path = afterAuthority
        var query: Substring = ""
        if let question = afterAuthority.firstIndex(of: "?") {
            path = afterAuthority[..<question]
            query = afterAuthority[afterAuthority.index(after: question)...]
        }
        while path.hasSuffix("/") { path = path.dropLast() }
        let keptParameters = query.split(separator: "&", omittingEmptySubsequences: true).filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return !Self.isTrackingParameter(name)
        }
        var text = scheme + "://" + host
        if !port.isEmpty { text += ":" + port }
        text += path
        if !keptParameters.isEmpty { text += "?" + keptParameters.joined(separator: "&") }
        self.text = text
        self.host = host
        self.ordinal = URLOrdinals.next()
    }
}

/// Hands out CanonicalURL.ordinal: 1, 2, 3 … for the whole process (files are staged
/// on different threads, and the loader keeps its slots across files). Taken once per
/// URL parsed, which the staging thread's cache already makes rare.
enum URLOrdinals {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var last = 0

    static func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        last += 1
        return last
    }
}
