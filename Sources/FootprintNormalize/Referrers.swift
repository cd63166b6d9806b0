/// Where a visit came from, as the reports group it.
public enum ReferrerCategory: String, CaseIterable, Sendable {
    case direct, search, social, news, email, shortener, owned, web
}

/// Classifies referring domains. Built-in lists cover the well-known search engines,
/// social networks (including their app and shortener hosts such as `t.co` and
/// `lnkd.in`), webmail, news sites and link shorteners; config entries override them,
/// and the owned properties' hosts are `owned`. A domain matches an entry when it is the
/// entry or a subdomain of it (`news.google.com` is search's `google.com` unless listed).
public struct ReferrerClassifier: Sendable {
    private var table: [String: ReferrerCategory]

    public init(overrides: [String: ReferrerCategory] = [:], ownedHosts: [String] = []) {
        var table = Self.builtIn
        for host in ownedHosts { table[host] = .owned }
        for (domain, category) in overrides { table[domain.lowercased()] = category }
        self.table = table
    }

    /// The category of a canonical host (no `www.`); empty means direct.
    public func category(ofHost host: String) -> ReferrerCategory {
        if host.isEmpty { return .direct }
        var candidate = Substring(host)
        while true {
            if let category = table[String(candidate)] { return category }
            // Search engines live on many country domains: google.co.uk, bing.de …
            if let dot = candidate.firstIndex(of: ".") {
                candidate = candidate[candidate.index(after: dot)...]
                if !candidate.contains(".") { break }
            } else { break }
        }
        let labels = host.split(separator: ".")
        for label in labels.dropLast() where Self.searchBrands.contains(String(label)) {
            return .search
        }
        return .web
    }

    /// Second-level labels of search engines that run many country domains.
    static let searchBrands: Set<String> = ["google", "bing", "yahoo", "yandex", "baidu", "duckduckgo", "ecosia", "qwant", "startpage", "naver", "seznam"]

    static let builtIn: [String: ReferrerCategory] = {
        var t: [String: ReferrerCategory] = [:]
        for d in ["google.com", "bing.com", "search.yahoo.com", "duckduckgo.com", "yandex.ru", "yandex.com",
                  "baidu.com", "ecosia.org", "qwant.com", "startpage.com", "search.brave.com", "naver.com",
                  "seznam.cz", "ask.com", "aol.com", "perplexity.ai", "kagi.com"] { t[d] = .search }
        for d in ["facebook.com", "m.facebook.com", "l.facebook.com", "lm.facebook.com", "fb.me", "fb.com",
                  "twitter.com", "x.com", "t.co", "linkedin.com", "lnkd.in", "instagram.com", "l.instagram.com",
                  "reddit.com", "old.reddit.com", "out.reddit.com", "news.ycombinator.com", "youtube.com", "youtu.be",
                  "pinterest.com", "pin.it", "tiktok.com", "mastodon.social", "threads.net", "bsky.app",
                  "xing.com", "vk.com", "weibo.com", "quora.com", "medium.com", "slack.com", "discord.com",
                  "whatsapp.com", "web.whatsapp.com", "wa.me", "telegram.org", "t.me", "stackoverflow.com",
                  "github.com", "producthunt.com", "lobste.rs", "tumblr.com", "snapchat.com"] { t[d] = .social }
        for d in ["mail.google.com", "outlook.live.com", "outlook.office.com", "outlook.office365.com",
                  "mail.yahoo.com", "mail.proton.me", "mail.aol.com", "webmail.gmx.net", "mail.zoho.com",
                  "mail.yandex.ru", "icloud.com", "fastmail.com", "mailchi.mp", "list-manage.com",
                  "substack.com", "email"] { t[d] = .email }
        for d in ["nytimes.com", "washingtonpost.com", "wsj.com", "ft.com", "bloomberg.com", "reuters.com",
                  "apnews.com", "bbc.co.uk", "bbc.com", "theguardian.com", "cnn.com", "cnbc.com", "forbes.com",
                  "economist.com", "techcrunch.com", "theverge.com", "wired.com", "arstechnica.com",
                  "zdnet.com", "engadget.com", "venturebeat.com", "businessinsider.com", "axios.com",
                  "lemonde.fr", "spiegel.de", "faz.net", "zeit.de", "heise.de", "elpais.com", "corriere.it",
                  "nikkei.com", "news.google.com", "news.yahoo.com", "msn.com", "theregister.com",
                  "handelsblatt.com", "lefigaro.fr", "independent.co.uk", "telegraph.co.uk", "usatoday.com",
                  "latimes.com", "politico.com", "time.com", "fortune.com", "marketwatch.com"] { t[d] = .news }
        for d in ["bit.ly", "bitly.com", "tinyurl.com", "ow.ly", "buff.ly", "goo.gl", "rebrand.ly", "is.gd",
                  "t.ly", "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "s.id", "bl.ink", "short.io",
                  "dlvr.it", "trib.al", "ift.tt"] { t[d] = .shortener }
        return t
    }()
}
