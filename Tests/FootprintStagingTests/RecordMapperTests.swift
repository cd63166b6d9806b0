import Testing
import FootprintConfig
import FootprintInput
import FootprintNormalize
@testable import FootprintStaging

@Suite struct RecordMapperTests {
    /// A usa.gov-style click record: short names, nested geo, a lat/long array.
    let usagovConfig = """
        [[inputs]]
        match = "usagov_*"
        kind = "clicks"
        format = "jsonl"
        [inputs.fields]
        timestamp = "t"
        short_url = "https://{hh}/{h}"
        long_url = "u"
        referrer = "r"
        country = "geo.country"
        city = "cy"
        region = "ll[0]"
        channel = { const = "twitter" }
        """

    @Test func jsonPathsTemplatesAndConstants() throws {
        let config = try ConfigLoader.parse(usagovConfig)
        let spec = try #require(config.inputSpec(forFileName: "usagov_2024.jsonl.gz"))
        let mapper = try RecordMapper(kind: .clicks, spec: spec, header: nil, zone: .utc, file: "usagov_2024.jsonl.gz", persons: testPersons())
        let record = try JSONParser.parse(Array(#"{"t": 1714557600, "hh": "1.usa.gov", "h": "abc", "u": "https://www.nasa.gov/x?utm_source=t", "r": "https://t.co/z", "geo": {"country": "USA"}, "cy": "Austin", "ll": [30.2, -97.7]}"#.utf8))
        guard case .success(.click(let click)) = mapper.map(.json(record)) else { Issue.record("should map"); return }
        #expect(click.occurredAt == 1_714_557_600)
        #expect(click.shortLink.text == "https://1.usa.gov/abc")
        #expect(click.target.text == "https://nasa.gov/x")
        #expect(click.referrer?.host == "t.co")
        #expect(click.channel == "twitter")
        #expect(click.place == Place(countryCode: "US", region: "30.2", city: "Austin"))
        #expect(click.identity.hasPrefix("#")) // no click_id: identified by content
    }

    @Test func sameContentGivesSameIdentityDifferentContentDoesNot() throws {
        let mapper = try RecordMapper(kind: .clicks, spec: nil, header: ["timestamp", "short_url", "long_url"], zone: .utc, file: "c.csv", persons: testPersons())
        func identity(_ fields: [String]) -> String? {
            if case .success(.click(let click)) = mapper.map(.csv(CSVRow(fields))) { return click.identity }
            return nil
        }
        let a = identity(["1714557600", "https://bit.ly/a", "https://acme.example/x"])
        #expect(a != nil)
        #expect(a == identity(["1714557600", "https://bit.ly/a", "https://acme.example/x"]))
        #expect(a != identity(["1714557601", "https://bit.ly/a", "https://acme.example/x"]))
    }

    @Test func missingRequiredCSVColumnsStopTheFileWithOneClearError() {
        do {
            _ = try RecordMapper(kind: .web, spec: nil, header: ["ts", "visitor_id", "page"], zone: .utc, file: "web.csv", persons: testPersons())
            Issue.record("should have failed")
        } catch {
            #expect(error.reason.hasPrefix("file looks like web but lacks the required column(s) timestamp, url; its header is: ts, visitor_id, page."))
        }
    }

    @Test func rowProblemsAreRejectionsWithReasons() throws {
        let mapper = try RecordMapper(kind: .web, spec: nil, header: ["timestamp", "visitor_id", "url", "engaged_seconds"], zone: .utc, file: "web.csv", persons: testPersons())
        func reason(_ fields: [String]) -> String? {
            if case .failure(let rejection) = mapper.map(.csv(CSVRow(fields))) { return rejection.reason }
            return nil
        }
        #expect(reason(["", "v1", "https://acme.example/", ""]) == "missing required value 'timestamp'")
        #expect(reason(["2024-02-30 10:00:00", "v1", "https://acme.example/", ""])?.hasPrefix("timestamp '2024-02-30 10:00:00' is not ISO 8601") == true)
        #expect(reason(["2024-05-01T10:00:00Z", "v1", "not a url", ""]) == "url 'not a url' is not an absolute URL")
        #expect(reason(["2024-05-01T10:00:00Z", "v1", "https://acme.example/", "-3"]) == "engaged_seconds '-3' is not a non-negative number")
        #expect(reason(["2024-05-01T10:00:00Z", "v1", "https://acme.example/", "12.5"]) == nil)
    }

    /// A page view without a referrer is credited to the site its utm_source names; the
    /// rows of one source share one URL value (one ordinal, for the loader's key cache),
    /// and a source that names no site credits nothing.
    @Test func utmSourcesWithoutAReferrerShareOneReferringURL() throws {
        let mapper = try RecordMapper(kind: .web, spec: nil, header: ["timestamp", "visitor_id", "url"], zone: .utc, file: "web.csv", persons: testPersons())
        func referrer(_ url: String) -> CanonicalURL? {
            guard case .success(.web(let view)) = mapper.map(.csv(CSVRow(["2024-05-01T10:00:00Z", "v1", url]))) else { return nil }
            return view.referrer
        }
        let first = try #require(referrer("https://acme.example/a?utm_source=news.example.org"))
        let second = try #require(referrer("https://acme.example/b?utm_source=news.example.org&x=1"))
        #expect(first.host == "news.example.org")
        #expect(second == first)
        #expect(second.ordinal == first.ordinal)
        #expect(referrer("https://acme.example/c?utm_source=not%20a%20site") == nil)
        #expect(referrer("https://acme.example/d") == nil)
    }

    @Test func groupActivitiesAreIdentifiedWithinTheirPlatform() throws {
        let mapper = try RecordMapper(kind: .groups, spec: nil, header: nil, zone: .utc, file: "groups.jsonl", persons: testPersons())
        let record = try JSONParser.parse(Array(#"{"activity_id": 42, "timestamp": "2024-05-01T10:00:00Z", "platform": "LinkedIn", "group": "G", "actor_id": "m1", "action": "Comment", "parent_id": 41, "count": "3"}"#.utf8))
        guard case .success(.group(let activity)) = mapper.map(.json(record)) else { Issue.record("should map"); return }
        #expect(activity.identity == "linkedin\u{1F}42")
        #expect(activity.action == "comment")
        #expect(activity.parentID == "41")
        #expect(activity.count == 3)
        #expect(activity.place.countryCode == "ZZ")
    }

    /// The mapper reads columns by Column; each canonical column of each kind must have
    /// one, under its own name (a missing one would stop every file of that kind).
    @Test func everyCanonicalColumnHasAColumnOfItsName() {
        for kind in EventKind.allCases {
            for name in CanonicalColumns.all(kind) {
                #expect(Column(name: name)?.name == name, "\(kind) \(name)")
            }
        }
        #expect(Column(name: "visitor") == nil)
        #expect(Column.allCases.count == Set(EventKind.allCases.flatMap(CanonicalColumns.all)).count)
    }
}

@Suite struct ConfigTests {
    @Test func embeddedDefaultIsValid() {
        let config = DefaultConfig.load()
        #expect(config.properties["acme.example"] == "site")
        #expect(config.selfBrand?.name == "Acme")
        #expect(config.brands.count == 3)
    }

    @Test(arguments: [
        ("colour = 1", "config: colour: unknown key (known here: timezone, properties, brands, referrers, perception, inputs, csv_bom, hash_key, session_timeout_minutes, limits, privacy, geoip_database, bot_patterns, utm_sources, spam_referrers, not_spam_referrers, goals, topics, vips, influencers_top)"),
        ("spam_referrers = [\"semalt.com\", \"http://x.example/\"]", "config: spam_referrers[1]: 'http://x.example/' is not a domain name such as \"semalt.com\""),
        ("[[inputs]]\nmatch = \"x*\"\nformat = \"xml\"", "config: inputs[0].format: must be csv, jsonl, jsonarray or accesslog"),
        ("timezone = \"Mars/Olympus\"", "config: timezone: 'Mars/Olympus' is not an IANA time zone name (e.g. \"Europe/Berlin\")"),
        ("[referrers]\n\"x.example\" = \"podcast\"", "config: referrers.x.example: must be one of direct, search, social, news, email, shortener, owned, web"),
        ("[[brands]]\nname = \"A\"\n[[brands]]\nname = \"B\"", "config: brands: exactly one brand must have self = true (found 0)"),
        ("[[inputs]]\nmatch = \"x*\"\nkind = \"web\"\n[inputs.fields]\nshort_url = \"s\"", "config: inputs[0].fields.short_url: is not a canonical column of web (see the README, \"Inputs\")"),
        ("[[inputs]]\nmatch = \"x*\"\nkind = \"logs\"", "config: inputs[0].kind: must be web, clicks, groups, subscribers or outcomes"),
        // CONTRACT.md section 5's keys.
        ("[[goals]]\nname = \"demo\"", "config: goals[0].pages: a goal needs at least one page, e.g. pages = [\"https://acme.example/newsletter/thanks\"]"),
        ("[[goals]]\nname = \"demo\"\npages = [\"thanks page\"]", "config: goals[0].pages[0]: 'thanks page' is not a page URL such as \"https://acme.example/demo\" (* matches any run of characters)"),
        ("[[goals]]\nname = \"a\"\npages = [\"https://x.example/a\"]\n[[goals]]\nname = \"a\"\npages = [\"https://x.example/b\"]", "config: goals[1].name: another goal is already named 'a'"),
        ("[[topics]]\nname = \"t\"", "config: topics[0]: a topic needs pages (its content items), keywords (words that mention it), or both"),
        ("[[topics]]\nname = \"t\"\nkeywords = [\"ok\", \" \"]", "config: topics[0].keywords[1]: is empty; give a word or phrase such as \"supply chain\""),
        ("[[topics]]\npages = [\"https://x.example/a\"]", "config: topics[0].name: every topic needs a name"),
        ("[vips]\nmin_comments = 0", "config: vips.min_comments: must be a whole number from 1 to 10000"),
        ("[vips]\nmax_comments = 3", "config: vips.max_comments: unknown key (known here: min_comments)"),
        ("influencers_top = -1", "config: influencers_top: must be a whole number from 1 to 1000000"),
        ("[privacy]\nshow_actor_handles = \"yes\"", "config: privacy.show_actor_handles: must be true or false"),
        ("[[brands]]\nname = \"A\"\nself = true\naccounts = \"acmehq\"", "config: brands[0].accounts: must be a list of strings"),
        ("csv_bom = \"yes\"", "config: csv_bom: must be true or false"),
        // Extreme integers crashed with an arithmetic overflow (SIGILL) instead of exit 2.
        ("[limits]\nfuture_tolerance_hours = 5000000000000000", "config: limits.future_tolerance_hours: must be a whole number from 0 to 876600"),
        ("[limits]\nearliest_year = 9223372036854775807", "config: limits.earliest_year: must be a whole number from 1900 to 9999"),
        ("[limits]\nmax_record_bytes = 0", "config: limits.max_record_bytes: must be a whole number from 64 to 1073741824"),
        ("[limits]\nmax_file_bytes = 9223372036854775807", "config: limits.max_file_bytes: must be a whole number from 1 to 1125899906842624"),
        // A pattern that backtracks exponentially took 298 s on one user agent.
        ("bot_patterns = [\"ok\", \"(a+)+$\"]", "config: bot_patterns[1]: '(a+)+$' repeats a group that itself repeats or alternates (like (a+)+ or (a|ab)*), which can take minutes on one user agent; write it without the outer repetition"),
        ("bot_patterns = [\"(x|xy)*z\"]", "config: bot_patterns[0]: '(x|xy)*z' repeats a group that itself repeats or alternates (like (a+)+ or (a|ab)*), which can take minutes on one user agent; write it without the outer repetition"),
    ])
    func badConfigNamesTheKeyPath(toml: String, message: String) {
        do {
            _ = try ConfigLoader.parse(toml)
            Issue.record("should have failed: \(toml)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func safePatternsPassTheRepetitionCheck() {
        for pattern in ["AcmeUptimeProbe", "(foo)?bar", "[a-z]+bot", "(ab)+", "([a-z]+)?x", "x{2,3}", "(?i)probe", "a\\(b+\\)+"] {
            #expect(!RegexText.hasNestedRepetition(pattern), "\(pattern)")
        }
        for pattern in ["(a+)+$", "(\\w*)*", "(a|aa)+", "((ab)+)*", "(a{1,9})+", "([a-z]+x)*y", "(?:a+)+"] {
            #expect(RegexText.hasNestedRepetition(pattern), "\(pattern)")
        }
    }

    @Test func globsPickTheFirstMatchingInput() throws {
        let config = try ConfigLoader.parse("""
            [[inputs]]
            match = "usagov_*.jsonl*"
            kind = "clicks"
            [[inputs]]
            match = "*"
            kind = "web"
            """)
        #expect(config.inputSpec(forFileName: "usagov_1.jsonl.gz")?.kind == .clicks)
        #expect(config.inputSpec(forFileName: "other.csv")?.kind == .web)
        #expect(Glob.matches(pattern: "web_[0-9]?.csv", "web_12.csv"))
        #expect(!Glob.matches(pattern: "web_[0-9]?.csv", "web_a2.csv"))
    }
}

/// The person hasher the staging tests use (a fixed key: the tests compare hashes).
let testHasher = PersonHasher(key: [UInt8](repeating: 7, count: 32))
func testPersons() -> PersonCache { PersonCache(hasher: testHasher) }

@Suite struct FieldBytesTests {
    /// The bytes handed to look-ups are exactly `value(in:)`'s text, for a CSV column read
    /// in place (trimmed, empty or blank as absent, past the row's end), a JSON path, a
    /// template and a constant.
    @Test func trimmedBytesEqualTheValue() throws {
        let csv = SourceRecord.csv(["  padded\t", "", "   ", "Zürich", "x"])
        let json = SourceRecord.json(try JSONParser.parse(Array(#"{"geo": {"country": " DE "}, "n": 5}"#.utf8)))
        let accessors: [(FieldAccessor, SourceRecord)] = [
            (.csvColumn(0), csv), (.csvColumn(1), csv), (.csvColumn(2), csv), (.csvColumn(3), csv), (.csvColumn(9), csv),
            (.csvColumn(0), json),
            (.jsonPath([.key("geo"), .key("country")]), json), (.jsonPath([.key("n")]), json), (.jsonPath([.key("x")]), json),
            (.template([.literal("https://"), .field(.csvColumn(4)), .literal("/p")]), csv), (.constant(" c "), csv),
        ]
        for (accessor, record) in accessors {
            let bytes = accessor.withTrimmedBytes(in: record) { $0.map { String(decoding: $0, as: UTF8.self) } }
            #expect(bytes == accessor.value(in: record), "\(accessor)")
        }
        #expect(FieldAccessor.csvColumn(0).withTrimmedBytes(in: csv) { $0.map { String(decoding: $0, as: UTF8.self) } } == "padded")
        #expect(FieldAccessor.csvColumn(2).withTrimmedBytes(in: csv) { $0 == nil })
    }
}

/// Redaction replaces exactly what a path reads (found while fuzzing the mapping
/// language): a dotted key is read as one key at the root only, so below the root
/// `b.c` must not be taken for the path `b`, `c`.
@Suite struct RedactionPathTests {
    @Test func redactionReplacesWhatThePathReads() throws {
        let object = try JSONParser.parse(Array(#"{"a":{"b.c":"x","b":{"c":"secret"}},"d.e":"top","d":{"e":"not read"},"l":[{"k":"id","v":"s2"}]}"#.utf8))
        for (path, read) in [("a.b.c", "secret"), ("d.e", "top"), ("l[k=id].v", "s2")] {
            let steps = FieldAccessor.parsePath(path)
            #expect(FieldAccessor.walk(object, steps)?.scalarText == read)
            let redacted = FieldAccessor.replacing(steps, in: object, with: .string("[id removed]"))
            #expect(FieldAccessor.walk(redacted, steps) == .string("[id removed]"), "\(path)")
            #expect(!redacted.jsonText.contains(read), "\(path)")
        }
    }
}
