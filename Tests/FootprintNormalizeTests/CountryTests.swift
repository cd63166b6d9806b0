import Testing
@testable import FootprintNormalize

@Suite struct CountryTests {
    @Test(arguments: [
        ("DE", "DE"), ("de", "DE"), ("DEU", "DE"), ("Germany", "DE"), ("germany", "DE"),
        ("United States", "US"), ("USA", "US"), ("United States of America", "US"), ("UK", "GB"),
        ("United Kingdom", "GB"), ("Korea, Republic of", "KR"), ("South Korea", "KR"), ("Viet Nam", "VN"),
        ("Vietnam", "VN"), ("The Netherlands", "NL"), ("Czechia", "CZ"), ("Czech Republic", "CZ"),
        ("Côte d'Ivoire", "CI"), ("", "ZZ"), ("Atlantis", "ZZ"), ("XX", "ZZ"), (" fr ", "FR"),
    ])
    func normalisesToAlpha2(raw: String, code: String) {
        #expect(Countries.code(for: raw) == code)
    }

    @Test func namesComeFromISOCodes() {
        #expect(Countries.name(for: "DE") == "Germany")
        #expect(Countries.name(for: "KR") == "South Korea")
        #expect(Countries.name(for: "ZZ") == "Unknown")
    }
}
