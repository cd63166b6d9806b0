import Testing
@testable import FootprintNormalize
import FootprintTestSupport

@Suite struct CanonicalURLTests {
    @Test(arguments: [
        ("https://www.Acme.example/Blog/Post/", "https://acme.example/Blog/Post"),
        ("HTTP://ACME.example:80/a?b=1#frag", "http://acme.example/a?b=1"),
        ("https://acme.example:443/", "https://acme.example"),
        ("https://acme.example:8443/x", "https://acme.example:8443/x"),
        ("https://acme.example/p?utm_source=tw&id=7&fbclid=abc&gclid=x&UTM_Medium=s", "https://acme.example/p?id=7"),
        ("https://user:pw@acme.example/p", "https://acme.example/p"),
        ("acme.example/pricing", "https://acme.example/pricing"),
        ("//cdn.acme.example/x/", "https://cdn.acme.example/x"),
        ("https://blog.acme.example/posts/a?utm_campaign=x", "https://blog.acme.example/posts/a"),
    ])
    func canonicalForm(raw: String, canonical: String) {
        #expect(CanonicalURL(raw)?.text == canonical)
    }

    @Test func hostIsLowerCaseWithoutWWW() {
        #expect(CanonicalURL("https://WWW.Blog.Acme.Example/x")?.host == "blog.acme.example")
    }

    @Test(arguments: ["", "not a url", "(direct)", "https:///path", "android-app"])
    func refusesTextWithoutAHost(raw: String) {
        #expect(CanonicalURL(raw) == nil)
    }

    /// The byte parser that reads ASCII URLs must answer as the Character-based one
    /// does: random URLs built from the pieces that steer the parser (schemes in any
    /// case, `//`, userinfo, ports, `www.`, trailing dots and slashes, fragments,
    /// empty and tracking parameters, whitespace and control characters).
    @Test func asciiParserAgreesWithTheUnicodeOne() {
        let pieces = ["https://", "HTTP://", "ftp+x://", "://", "1a:", "//", "www.", "WWW.", "Acme", ".example", "localhost",
                      "[::1]", ":80", ":443", ":8080", ":", "@", "user:pw@", "/", "//", "/p/Q", "?", "&", "=", "&&",
                      "utm_source=x", "UTM_Medium=y", "fbclid=1", "gclid", "id=7", "#frag", "#", " ", "\t", "\r\n",
                      ".", "a", "-", "+", "%20", "\u{7F}"]
        var rng = SeededGenerator(seed: 5)
        var urls = 0, agreed = 0
        for _ in 0..<20_000 {
            // Half start as a URL does, so that most texts reach the path and query.
            var raw = Bool.random(using: &rng) ? ["https://", "HTTP://", "", "//"].randomElement(using: &rng)! + "Acme.example" : ""
            for _ in 0..<Int.random(in: 1...9, using: &rng) { raw += pieces.randomElement(using: &rng)! }
            var bytes = raw
            let fast = bytes.withUTF8 { CanonicalURL.parse(ascii: $0) }
            let slow: CanonicalURL.Parsed = CanonicalURL.parse(unicode: raw).map { .url(text: $0.text, host: $0.host) } ?? .invalid
            if case .url = slow { urls += 1 }
            if fast == slow { agreed += 1 } else { Issue.record("\(raw.debugDescription): \(fast) vs \(slow)") }
            if agreed < urls - 5 { break }
        }
        #expect(agreed == 20_000)
        #expect(urls > 8_000)  // most of the random texts are URLs: the comparison covers the parsing
    }

    @Test func nonASCIIGoesToTheUnicodeParser() {
        var raw = "https://BÜCHER.example/ä"
        #expect(raw.withUTF8 { CanonicalURL.parse(ascii: $0) } == .unicode)
        #expect(CanonicalURL(raw)?.text == "https://bücher.example/ä")
        // Tracking parameters go on this path too, in any case.
        #expect(CanonicalURL("https://BÜCHER.example/ä?UTM_Source=x&id=ü&Fbclid=1")?.text == "https://bücher.example/ä?id=ü")
    }

    /// Every URL made gets its own ordinal (the loader's key cache relies on it), but
    /// two URLs with the same text are equal and hash alike whatever their ordinals.
    @Test func ordinalsAreUniqueButNotPartOfTheValue() throws {
        let a = try #require(CanonicalURL("https://www.acme.example/x?utm_source=t"))
        let b = try #require(CanonicalURL("https://acme.example/x"))
        let c = CanonicalURL(domainOnly: "acme.example")
        #expect(a.ordinal != b.ordinal && b.ordinal != c.ordinal && a.ordinal != 0)
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a != c)
    }
}

@Suite struct ReferrerTests {
    let classifier = ReferrerClassifier(overrides: ["news.example": .news, "google.com": .web], ownedHosts: ["acme.example"])

    @Test(arguments: [
        ("", ReferrerCategory.direct), ("bing.com", .search), ("google.co.uk", .search), ("duckduckgo.com", .search),
        ("t.co", .social), ("lnkd.in", .social), ("l.facebook.com", .social), ("m.facebook.com", .social),
        ("news.ycombinator.com", .social), ("mail.google.com", .email), ("techcrunch.com", .news),
        ("bit.ly", .shortener), ("acme.example", .owned), ("news.example", .news), ("someblog.example", .web),
        ("google.com", .web), // config overrides the built-in list
        ("uk.news.yahoo.com", .news),
    ])
    func categories(host: String, category: ReferrerCategory) {
        #expect(classifier.category(ofHost: host) == category)
    }
}

@Suite struct HashingTests {
    @Test func sha256KnownAnswers() {
        #expect(SHA256.hash(Array("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash([]).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(million).hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalHashingMatchesOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256Hasher()
        for piece in stride(from: 0, to: data.count, by: 37) { hasher.update(Array(data[piece..<min(piece + 37, data.count)])) }
        #expect(hasher.finalize() == SHA256.hash(data))
    }

    @Test func hmacRFC4231TestCase2() {
        let mac = SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func personHashIsKeyedTruncatedHMAC() {
        let hasher = PersonHasher(key: Array("Jefe".utf8))
        #expect(hasher.person("what do ya want for nothing?").hash == "5bdcc146bf60754e6a042426089575c7")
        // The surrogate key is the hash's first 63 bits (the same in loader and erasure).
        #expect(hasher.person("what do ya want for nothing?").key == 0x5bdc_c146_bf60_754e)
        #expect(PersonHasher(key: [1, 2, 3]).person("v1").hash != hasher.person("v1").hash)
    }

    @Test func stableHashIsStableAcrossRuns() {
        // A fixed value: row keys must not change between runs or machines.
        #expect(StableHash.hash64("abc") == 0xb803_0773_b15d_dd2e)
        #expect(StableHash.rowKey("abc") == 4_036_077_884_532_448_558) // top bit cleared
        #expect(StableHash.rowKey("abc") != StableHash.rowKey("abd"))
    }

    /// HashedText keys the staging and loader caches: texts differing only in their
    /// last bytes (past the last full eight-byte word), or only in length, must hash
    /// apart, and equal texts made separately must be equal keys.
    @Test func hashedTextTellsTailsAndLengthsApart() {
        let base = "https://www.acme.example/posts/p"  // 32 bytes: four full words
        var hashes: Set<UInt64> = []
        for suffix in ["", "1", "2", "12", "21", "1234567", "1234568", "\u{0}", "\u{0}\u{0}"] {
            hashes.insert(HashedText(base + suffix).hashValue64)
        }
        #expect(hashes.count == 9)
        #expect(HashedText("") != HashedText("\u{0}"))
        #expect(HashedText(base + "7") == HashedText(String((base + "78").dropLast())))
        let cache: [HashedText: Int] = [HashedText("a.example"): 1, HashedText("b.example"): 2]
        #expect(cache[HashedText("b.example")] == 2)
        #expect(cache[HashedText("c.example")] == nil)
    }
}

@Suite struct HashedTextCacheTests {
    /// A working set under the limit always hits, with the value last stored: 3,000 keys
    /// (the tables grow from 64 slots many times), overwritten once, against a Dictionary.
    @Test func aWorkingSetUnderTheLimitAlwaysHitsWithTheLatestValue() {
        var cache = HashedTextCache<Int>(limit: 5_000)
        var reference: [String: Int] = [:]
        for round in 0..<2 {
            for n in 0..<3_000 {
                let text = "https://acme.example/posts/\(n * 7919 % 3_001)"
                cache.insert(HashedText(text), n + round * 10_000)
                reference[text] = n + round * 10_000
            }
        }
        var wrong = 0
        for (text, value) in reference where cache.get(HashedText(text)) != value { wrong += 1 }
        #expect(wrong == 0)
        #expect(cache.get(HashedText("https://acme.example/posts/3001")) == nil)
        #expect(cache.get(HashedText("")) == nil)
    }

    /// Two generations: a full young table becomes the old one; a key used from the old
    /// one comes back to the young and survives the next turn, one left alone is dropped.
    @Test func keysUsedSinceTheLastTurnSurviveAndOthersAreDropped() {
        var cache = HashedTextCache<Int>(limit: 3)
        for n in 1...3 { cache.insert(HashedText("k\(n)"), n) }
        cache.insert(HashedText("k4"), 4)               // turn: old k1-k3, young k4
        #expect(cache.get(HashedText("k1")) == 1)        // back to young: k4, k1
        cache.insert(HashedText("k5"), 5)               // young k4, k1, k5 (full)
        cache.insert(HashedText("k6"), 6)               // turn: old k4, k1, k5; k2, k3 gone
        #expect(cache.get(HashedText("k2")) == nil)
        #expect(cache.get(HashedText("k3")) == nil)
        #expect(cache.get(HashedText("k1")) == 1)
        #expect(cache.get(HashedText("k6")) == 6)
    }

    /// Different texts under one hash (0 and 1 included: inside, 0 marks an empty slot
    /// and is stored as 1) are different keys: each keeps its own value, through the tables' growth.
    @Test func textsSharingAHashStayApart() {
        var cache = HashedTextCache<Int>(limit: 1_000)
        for hash: UInt64 in [0, 1, 42] {
            for n in 0..<40 { cache.insert(HashedText("text \(hash)-\(n)", collidingHash: hash), Int(hash) * 100 + n) }
        }
        var wrong = 0
        for hash: UInt64 in [0, 1, 42] {
            for n in 0..<40 where cache.get(HashedText("text \(hash)-\(n)", collidingHash: hash)) != Int(hash) * 100 + n { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(cache.get(HashedText("text 42-40", collidingHash: 42)) == nil)
    }

    /// A cached "nothing" (a user agent that is no bot, a URL that does not parse) is a
    /// hit, told apart from a key never seen.
    @Test func aCachedNilIsAHit() {
        var cache = HashedTextCache<String?>(limit: 10)
        cache.insert(HashedText("Mozilla/5.0"), nil)
        cache.insert(HashedText("Googlebot/2.1"), "Googlebot")
        #expect(cache.get(HashedText("Mozilla/5.0")) == .some(nil))
        #expect(cache.get(HashedText("Googlebot/2.1")) == .some("Googlebot"))
        #expect(cache.get(HashedText("curl/8.0")) == nil)
    }
}

@Suite struct TermMatcherTests {
    let acme = TermMatcher(terms: ["Acme", "Acme Corp", "@acme", "#acme"])

    @Test(arguments: [
        ("Acme is great", true), ("we like acme's tools", true), ("ACME, again", true), ("(acme)", true),
        ("Acmeology is not a word", false), ("MegaAcme rocks", false), ("see @acme today", true),
        ("#acme trending", true), ("nothing here", false), ("acme_corp", false),
    ])
    func wholeWordCaseInsensitive(text: String, matches: Bool) {
        #expect(acme.matches(text) == matches)
    }
}

/// Goal and topic page patterns against canonical content items.
@Suite struct PagePatternTests {
    @Test(arguments: [
        // pattern, item, matches
        ("https://www.Acme.example/thanks/", "https://acme.example/thanks", true),
        ("https://acme.example/thanks", "https://acme.example/thanks?email=x", true),      // no ? in the pattern: query ignored
        ("https://acme.example/thanks?step=2", "https://acme.example/thanks?step=1", false),
        ("https://acme.example/thanks?step=2", "https://acme.example/thanks?step=2", true),
        ("https://acme.example/thanks", "https://acme.example/thanks-old", false),
        ("https://blog.acme.example/subscribe/*", "https://blog.acme.example/subscribe/confirm", true),
        ("https://blog.acme.example/subscribe/*", "https://blog.acme.example/subscribe", false),  // the star needs the slash
        ("https://blog.acme.example/posts/supply-chain*", "https://blog.acme.example/posts/supply-chain-101", true),
        ("https://blog.acme.example/posts/supply-chain*", "https://blog.acme.example/posts/supply", false),
        ("https://*.acme.example/demo", "https://eu.acme.example/demo", true),
        ("https://*.acme.example/demo", "https://acme.example/demo", false),
        ("https://acme.example/*/thanks/*", "https://acme.example/de/thanks/webinar", true),
        ("https://acme.example/*/thanks/*", "https://acme.example/de/danke/webinar", false),
        ("acme.example/pricing", "https://acme.example/pricing", true),                       // no scheme: https
    ])
    func matches(pattern: String, item: String, expected: Bool) throws {
        let compiled = try #require(PagePattern(pattern))
        #expect(compiled.matches(item) == expected, "\(pattern) ~ \(item)")
    }
}
