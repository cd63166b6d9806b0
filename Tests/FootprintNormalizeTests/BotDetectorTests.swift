import Foundation
import Testing
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
