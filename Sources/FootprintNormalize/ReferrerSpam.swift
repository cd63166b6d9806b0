/// Tells referrer spam — fake visits whose only purpose is to plant a domain in
/// analytics referrer lists — by the referring host, with Matomo's community list
/// (ReferrerSpamList.swift) plus domains from the config, minus those the config exempts.
/// A listed domain covers its subdomains, as Matomo matches them.
public struct ReferrerSpam: Sendable {
    private let hosts: Set<String>

    public init(extra: [String] = [], exempt: [String] = []) {
        var hosts = Set(referrerSpamHosts.split(separator: "\n").map(String.init))
        for host in extra { hosts.insert(Self.normalized(host)) }
        for host in exempt { hosts.remove(Self.normalized(host)) }
        self.hosts = hosts
    }

    /// How many domains are listed.
    public var count: Int { hosts.count }

    /// The listed domain a referring host belongs to, or nil when it is not spam.
    public func listedDomain(ofHost host: String) -> String? {
        var candidate = Substring(host.lowercased())
        while !candidate.isEmpty {
            if hosts.contains(String(candidate)) { return String(candidate) }
            guard let dot = candidate.firstIndex(of: ".") else { return nil }
            candidate = candidate[candidate.index(after: dot)...]
        }
        return nil
    }

    static func normalized(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        return host
    }
}
