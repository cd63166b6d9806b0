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

    /// Tracking parameters that say how a visitor came, not what they saw: `utm_*`,
    /// `fbclid`, `gclid`, in any case. Compared on the name's bytes with ASCII case
    /// folded, without a copy (both parsers call it once per parameter): no letter
    /// beyond ASCII lower-cases to one of these.
    static func isTrackingParameter<Name: Collection<UInt8>>(_ name: Name) -> Bool {
        let lower = name.lazy.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        return lower.starts(with: "utm_".utf8) || lower.elementsEqual("fbclid".utf8) || lower.elementsEqual("gclid".utf8)
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
        var raw = raw
        let parsed = raw.withUTF8 { Self.parse(ascii: $0) }
        switch parsed {
        case .url(let text, let host): (self.text, self.host) = (text, host)
        case .invalid: return nil
        case .unicode:
            guard let (text, host) = Self.parse(unicode: raw) else { return nil }
            (self.text, self.host) = (text, host)
        }
        self.ordinal = URLOrdinals.next()
    }

    enum Parsed: Equatable { case url(text: String, host: String), invalid, unicode }

    /// The canonical text and host, read over the bytes of an ASCII URL (nearly all are:
    /// other characters travel percent-encoded). A first load of varied exports parses
    /// hundreds of thousands of distinct URLs (utm variants); on Swift's Character view
    /// that was 60 % of the staging thread. `.unicode` for text with other characters,
    /// which `parse(unicode:)` reads with Unicode's letters and case; on ASCII both give
    /// the same answer (tested on random URLs).
    static func parse(ascii raw: UnsafeBufferPointer<UInt8>) -> Parsed {
        if raw.contains(where: { $0 >= 0x80 }) { return .unicode }
        var start = 0, end = raw.count
        while start < end && String.isASCIIWhitespace(raw[start]) { start += 1 }
        while end > start && String.isASCIIWhitespace(raw[end - 1]) { end -= 1 }
        func first(_ byte: UInt8, _ from: Int, _ to: Int) -> Int? { (from..<to).first { raw[$0] == byte } }
        func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
        func isSchemeByte(_ b: UInt8) -> Bool {
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 43 || b == 45 || b == 46
        }
        var scheme: [UInt8] = Array("https".utf8)
        if let colon = first(58, start, end), colon > start, colon + 3 <= end, raw[colon + 1] == 47, raw[colon + 2] == 47,
           (start..<colon).allSatisfy({ isSchemeByte(raw[$0]) }) {
            scheme = (start..<colon).map { lower(raw[$0]) }
            start = colon + 3
        } else if end - start >= 2 && raw[start] == 47 && raw[start + 1] == 47 {
            start += 2
        }
        if let hash = first(35, start, end) { end = hash }
        let authorityEnd = (start..<end).first { raw[$0] == 47 || raw[$0] == 63 } ?? end
        let authorityStart = (start..<authorityEnd).last { raw[$0] == 64 }.map { $0 + 1 } ?? start
        var host = (authorityStart..<authorityEnd).map { lower(raw[$0]) }
        var port: ArraySlice<UInt8> = []
        if let colon = host.lastIndex(of: 58), host.last != 93 {
            port = host[(colon + 1)...]
            host = Array(host[..<colon])
        }
        if host.last == 46 { host.removeLast() }
        if host.starts(with: "www.".utf8) { host.removeFirst(4) }
        guard !host.isEmpty, host.contains(46) || host.elementsEqual("localhost".utf8) || host.first == 91,
              !host.contains(where: { $0 == 32 || $0 == 9 }) else { return .invalid }
        if (scheme.elementsEqual("http".utf8) && port.elementsEqual("80".utf8))
            || (scheme.elementsEqual("https".utf8) && port.elementsEqual("443".utf8)) { port = [] }

        var pathEnd = first(63, authorityEnd, end) ?? end
        let queryStart = pathEnd < end ? pathEnd + 1 : end
        while pathEnd > authorityEnd && raw[pathEnd - 1] == 47 { pathEnd -= 1 }
        var text = scheme
        text.append(contentsOf: "://".utf8)
        text.append(contentsOf: host)
        if !port.isEmpty { text.append(58); text.append(contentsOf: port) }
        text.append(contentsOf: raw[authorityEnd..<pathEnd])
        var separator: UInt8 = 63  // "?" before the first kept parameter, "&" after
        var pairStart = queryStart
        while pairStart < end {
            let pairEnd = first(38, pairStart, end) ?? end
            if pairEnd > pairStart {
                let nameEnd = first(61, pairStart, pairEnd) ?? pairEnd
                if !isTrackingParameter(raw[pairStart..<nameEnd]) {
                    text.append(separator)
                    text.append(contentsOf: raw[pairStart..<pairEnd])
                    separator = 38
                }
            }
            pairStart = pairEnd + 1
        }
        return .url(text: String(decoding: text, as: UTF8.self), host: String(decoding: host, as: UTF8.self))
    }

    /// The canonical text and host of a URL with characters beyond ASCII, read on its
    /// Characters (a host may have Unicode letters to lower-case).
    static func parse(unicode raw: String) -> (text: String, host: String)? {
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
            return !Self.isTrackingParameter(name.utf8)
        }
        var text = scheme + "://" + host
        if !port.isEmpty { text += ":" + port }
        text += path
        if !keptParameters.isEmpty { text += "?" + keptParameters.joined(separator: "&") }
        return (text, host)
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
