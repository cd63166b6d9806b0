import Testing
@testable import FootprintNormalize

@Suite struct UTMSourceTests {
    let sources = UTMSources(overrides: ["Partner-X": "partner.example"])

    @Test(arguments: [
        ("LinkedIn", "linkedin.com"), ("linkedin.com", "linkedin.com"), ("li", "linkedin.com"), ("lnkd.in", "linkedin.com"),
        ("Twitter", "twitter.com"), ("x", "twitter.com"), ("t.co", "twitter.com"), ("FB", "facebook.com"),
        ("newsletter", "email"), ("Mailchimp", "email"), ("partner-x", "partner.example"),
        ("www.example.org", "example.org"),
    ])
    func aliasesMergeIntoOneDomain(source: String, domain: String) {
        #expect(sources.domain(for: source) == domain)
    }

    @Test func unknownTagsSayNothing() {
        #expect(sources.domain(for: "spring_campaign") == nil)
    }

    @Test func findsTheTagInARawURL() {
        #expect(UTMSources.source(inURL: "https://acme.example/p?a=1&utm_source=Linked%20In&utm_medium=social#top") == "Linked In")
        #expect(UTMSources.source(inURL: "https://acme.example/p?UTM_SOURCE=li") == "li")
        #expect(UTMSources.source(inURL: "https://acme.example/p") == nil)
    }

    @Test func emailIsAnEmailReferrer() {
        #expect(ReferrerClassifier().category(ofHost: "email") == .email)
    }
}
