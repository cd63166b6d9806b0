import Foundation
import Testing
import FootprintTestSupport
import FootprintConfig
@testable import FootprintNormalize

@Suite struct BotDetectorTests {
    static let detector = try! BotDetector(extraPatterns: ["AcmeUptimeProbe"])

    @Test(arguments: [
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", true),
        ("curl/8.4.0", true),
        ("python-requests/2.31.0", true),
        ("AcmeUptimeProbe/1.0", true),   // from the config
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", false),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", false),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", false),
    ])
    func tellsCrawlersFromBrowsers(agent: String, isBot: Bool) {
        #expect((Self.detector.botName(agent) != nil) == isBot, "\(agent)")
    }

    /// Without the 512-character cut this ran for minutes (1,462 alternatives over 10 MB).
    @Test(.timeLimit(.minutes(1)))
    func aHugeUserAgentIsCutBeforeMatching() {
        #expect(Self.detector.botName(String(repeating: "a", count: 10 << 20)) == nil)
        #expect(Self.detector.botName(String(repeating: "a", count: 10 << 20) + " Googlebot/2.1") == nil) // past the cut
        #expect(Self.detector.botName("Googlebot/2.1 " + String(repeating: "a", count: 10 << 20)) == "Googlebot")
    }

    /// The single alternation of every pattern, as Crawler-Detect runs it and as this
    /// detector did until it took 44 ms on a hostile agent: the reference answer.
    static let referenceCrawlers = try! NSRegularExpression(pattern: "(" + (crawlerPatterns + ["AcmeUptimeProbe"]).joined(separator: "|") + ")", options: [.caseInsensitive])
    static let referenceExclusions = try! NSRegularExpression(pattern: "(" + crawlerExclusions.joined(separator: "|") + ")", options: [.caseInsensitive])

    static func referenceBotName(_ agent: String) -> String? {
        let crawlers = referenceCrawlers, exclusions = referenceExclusions
        let userAgent = String(agent.prefix(512))
        let remainder = exclusions.stringByReplacingMatches(in: userAgent, range: NSRange(userAgent.startIndex..., in: userAgent), withTemplate: "")
            .trimmingCharacters(in: .whitespaces)
        if remainder.isEmpty { return nil }
        guard let hit = crawlers.firstMatch(in: remainder, range: NSRange(remainder.startIndex..., in: remainder)),
              let range = Range(hit.range, in: remainder) else { return nil }
        return String(remainder[range])
    }

    static func agents(_ name: String) throws -> [String] {
        let path = Bundle.module.path(forResource: name, ofType: "txt", inDirectory: "UserAgents")!
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Crawler-Detect's own fixtures (3,730 crawlers, 1,505 browsers): the same bot name
    /// as the single alternation, agent by agent; and the fixtures' verdicts.
    @Test func namesTheSameBotAsTheSingleAlternation() throws {
        let detector = try BotDetector(extraPatterns: ["AcmeUptimeProbe"])
        var differences: [String] = []
        var crawlersMissed = 0, browsersTaken = 0
        for (file, isBot) in [("crawlers", true), ("devices-sample", false)] {
            for agent in try Self.agents(file) {
                let name = detector.botName(agent)
                if name != Self.referenceBotName(agent) { differences.append("\(agent) → \(name ?? "nil") vs \(Self.referenceBotName(agent) ?? "nil")") }
                if isBot && name == nil { crawlersMissed += 1 }
                if !isBot && name != nil { browsersTaken += 1 }
            }
        }
        #expect(differences.isEmpty, "\(differences.prefix(10).joined(separator: "\n"))")
        #expect(crawlersMissed == 0)
        #expect(browsersTaken == 0)
    }

    /// The browser tokens are removed by the alternation of only the exclusions whose
    /// literal the agent holds: the same text must remain as with all of them, for the
    /// fixtures as given, with other versions, in other cases and with non-ASCII letters
    /// ICU folds (those take the whole alternation).
    @Test func exclusionsByLiteralRemoveWhatTheWholeAlternationRemoves() throws {
        let exclusions = Exclusions(crawlerExclusions)
        var rng = SeededGenerator(seed: 5)
        var differences: [String] = []
        var agents = try Self.agents("crawlers") + Self.agents("devices-sample")
        agents += agents.map { agent in
            String(agent.map { $0.isNumber ? Character(String(Int.random(in: 0...9, using: &rng))) : $0 })
        }
        agents += agents.prefix(500).map { $0.uppercased() }
        agents += ["Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (\u{212A}HTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "ſafari/1.0 bot"]
        for agent in agents {
            let whole = NSRange(agent.startIndex..., in: agent)
            let expected = Self.referenceExclusions.stringByReplacingMatches(in: agent, range: whole, withTemplate: "")
            let got = (exclusions.regex(for: agent) ?? Self.referenceExclusions).stringByReplacingMatches(in: agent, range: whole, withTemplate: "")
            if got != expected { differences.append("\(agent) → \(got) vs \(expected)") }
        }
        #expect(agents.count > 10_000)
        #expect(differences.isEmpty, "\(differences.prefix(5).joined(separator: "\n"))")
    }

    /// Hostile agents built to make the generic pattern and the prefilter work: runs of
    /// letters, keywords at the end of long runs, many literals in one agent.
    @Test func hostileAgentsGetTheSameAnswerAsTheAlternation() throws {
        let detector = try BotDetector(extraPatterns: ["AcmeUptimeProbe"])
        var random = SeededGenerator(seed: 14)
        let pieces = ["a", "b", "-", "_", "0", " ", "/", "bot", "Crawl", "spider", "java/", "Yandex", "YandexSearch",
                      "curl", "Mozilla", "(", ")", ";", "Googlebot", "Safari/1.2", "Chrome/9", "é", "K"]
        for length in [1, 5, 40, 200, 600] {
            for _ in 0..<60 {
                let agent = (0..<length).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
                #expect(detector.botName(agent) == Self.referenceBotName(agent), "\(agent)")
            }
        }
        let run = String(repeating: "a", count: 510) + "ot"
        #expect(detector.botName(run) == Self.referenceBotName(run))
    }

    /// 2,000 distinct hostile 512-character agents took 87 s (44 ms each) through the
    /// single alternation; a minute is a generous bound for linear matching (the time
    /// itself is for scripts/bench, not a test).
    @Test(.timeLimit(.minutes(1)))
    func distinctHostileAgentsAreMatchedInLinearTime() throws {
        let detector = try BotDetector()
        var random = SeededGenerator(seed: 5)
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789-_")
        for n in 0..<2_000 {
            let agent = String((0..<512).map { _ in letters[Int(random.next() % UInt64(letters.count))] })
            let name = detector.botName(agent)
            if n % 200 == 0 { #expect(name == Self.referenceBotName(agent)) }   // 44 ms each
        }
    }

    @Test func requiredLiteralsAreOnesEveryMatchContains() {
        #expect(RegexText.requiredLiteral("^Java\\/") == "java/")
        #expect(RegexText.requiredLiteral("Daum(oa)?[ \\/][0-9]") == "daum")
        #expect(RegexText.requiredLiteral("Sitemaps? Generator") == " generator")
        #expect(RegexText.requiredLiteral("ab+cde") == "cde")        // `b` stays required, but `cde` need not follow it directly
        #expect(RegexText.requiredLiteral("abc?d") == "ab")          // `c` may be absent
        #expect(RegexText.requiredLiteral("a|bcd") == nil)
        #expect(RegexText.requiredLiteral("x{2}yz") == "yz")
        #expect(RegexText.requiredLiteral("\\d+") == nil)
    }

    @Test func anInvalidConfigPatternIsAnError() {
        #expect(throws: BotDetector.PatternError.self) { try BotDetector(extraPatterns: ["(unclosed"]) }
    }
}

@Suite struct ReferrerSpamTests {
    @Test func listedDomainsCoverTheirSubdomainsAndConfigCanAddOrExempt() {
        let spam = ReferrerSpam(extra: ["best-seo.example"], exempt: ["zoominfo.com"])
        #expect(spam.count > 1000)                      // Matomo's list
        #expect(spam.listedDomain(ofHost: "semalt.com") == "semalt.com")
        #expect(spam.listedDomain(ofHost: "crawler.Semalt.com") == "semalt.com")
        #expect(spam.listedDomain(ofHost: "notsemalt.com") == nil)   // whole labels only
        #expect(spam.listedDomain(ofHost: "best-seo.example") == "best-seo.example")
        #expect(spam.listedDomain(ofHost: "zoominfo.com") == nil)
        #expect(spam.listedDomain(ofHost: "google.com") == nil)
    }
}

@Suite struct LookUpByBytesTests {
    /// The staging thread asks by a CSV field's bytes; the answers must be the ones the
    /// text gives, on the first look-up (a miss) and the second (a hit), and past the
    /// 512-byte cut.
    @Test func botNamesByBytesEqualThoseByText() throws {
        let detector = try BotDetector()
        let agents = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.4.0",
                      "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
                      "Googlebot/2.1 " + String(repeating: "a", count: 600)]
        for _ in 0..<2 {
            for agent in agents {
                var bytes = agent
                let byBytes = bytes.withUTF8 { detector.botName(bytes: $0) }
                #expect(byBytes == BotDetectorTests.detector.botName(agent), "\(agent.prefix(40))")
            }
        }
        var human = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
        #expect(human.withUTF8 { detector.botName(bytes: $0) } == nil)
    }

    /// A visitor hashed from bytes is the visitor hashed from text, hit or miss.
    @Test func personsByBytesEqualThoseByText() {
        let hasher = PersonHasher(key: [UInt8](repeating: 9, count: 32))
        let cache = PersonCache(hasher: hasher)
        for _ in 0..<2 {
            for id in ["v1", "v022780", "a-much-longer-visitor-identifier-0001", ""] {
                var text = id
                let byBytes = text.withUTF8 { cache.person(bytes: $0) }
                #expect(byBytes == hasher.person(id))
                #expect(byBytes == cache.person(id))
            }
        }
    }

    /// Look-ups by bytes find what was stored by text, in the young table and in the
    /// old one (which moves the key back to the young), and tell colliding texts apart.
    @Test func cacheLookUpsByBytesFindKeysStoredByText() {
        var cache = HashedTextCache<Int>(limit: 2)
        func get(_ text: String) -> Int? {
            var text = text
            return text.withUTF8 { cache.get(bytes: $0, hash: HashedText.hash(of: $0)) }
        }
        cache.insert(HashedText("https://acme.example/a"), 1)
        cache.insert(HashedText("b"), 2)
        #expect(get("https://acme.example/a") == 1 && get("b") == 2 && get("c") == nil)
        cache.insert(HashedText("c"), 3)                  // turn: old a, b; young c
        #expect(get("https://acme.example/a") == 1)        // from the old table, back to young
        cache.insert(HashedText("d"), 4)                  // young c, a, (full at 2) → turn
        cache.insert(HashedText("e"), 5)
        #expect(get("https://acme.example/a") == 1)
        #expect(get("https://acme.example/") == nil)      // a prefix is another key
        var colliding = HashedTextCache<Int>(limit: 10)
        colliding.insert(HashedText("x1", collidingHash: 7), 1)
        colliding.insert(HashedText("x2", collidingHash: 7), 2)
        var x2 = "x2"
        #expect(x2.withUTF8 { colliding.get(bytes: $0, hash: 7) } == 2)
    }
}
