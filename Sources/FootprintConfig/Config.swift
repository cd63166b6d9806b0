/// The three kinds of export Footprint reads (CONTRACT.md section 1).
public enum EventKind: String, CaseIterable, Codable, Sendable {
    case web, clicks, groups
    /// Subscriptions to the blog's feed, e-mail list or newsletter (CONTRACT.md section 5).
    case subscribers
    /// Business results per day and metric (sales, leads …), set beside the conversation.
    case outcomes
}

public enum InputFormat: String, Sendable {
    case csv, jsonl
    /// Web server access logs (Combined or Common Log Format).
    case accesslog
    /// One JSON array of objects per file (Slack's workspace export).
    case jsonarray
}

/// Where a canonical column's value comes from in a source record.
public enum FieldSource: Equatable, Sendable {
    /// A column name (CSV) or a path into a JSON object (`geo.country`, `ll[0]`).
    case path(String)
    /// Text with `{path}` placeholders, e.g. `https://{hh}/{h}`.
    case template([TemplatePart])
    /// The same value for every row of the file.
    case constant(String)
    /// A numeric source multiplied by a factor (milliseconds → seconds: 0.001).
    indirect case scaled(FieldSource, factor: Double)
    /// A date written in another form, read with a strftime-style format (TimeFormat).
    indirect case formatted(FieldSource, format: TimeFormat)

    public enum TemplatePart: Equatable, Sendable {
        case literal(String)
        case placeholder(String)
    }

    /// Reads the config form: a string is a template when it holds `{...}`, else a path.
    public static func parse(_ text: String) -> FieldSource {
        guard text.contains("{") else { return .path(text) }
        var parts: [TemplatePart] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            parts.append(.placeholder(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return .template(parts)
    }
}

/// One `[[inputs]]` entry: how to read files whose name matches a glob.
public struct InputSpec: Equatable, Sendable {
    public var match: String
    public var kind: EventKind?
    public var format: InputFormat?
    public var fields: [String: FieldSource]
    /// Only rows whose source value at each path equals the given text are events; the
    /// others are counted as skipped (GA4 exports every event, page views are one kind).
    public var filters: [String: String] = [:]
    /// The preset this entry started from, if any (for messages).
    public var preset: String?
    /// The site's host name, for formats whose rows carry only a path (access logs):
    /// available to templates as `{host}`.
    public var host: String?
    /// Files this entry matches are not input (a README.txt in the inbox): skipped with a
    /// note, never failed, so they do not make every nightly run exit 1.
    public var ignore = false

    public init(match: String, kind: EventKind? = nil, format: InputFormat? = nil, fields: [String: FieldSource] = [:],
                filters: [String: String] = [:], preset: String? = nil) {
        self.match = match; self.kind = kind; self.format = format; self.fields = fields
        self.filters = filters; self.preset = preset
    }
}

public struct Brand: Equatable, Sendable {
    public var name: String
    public var isSelf: Bool
    public var aliases: [String]
    public var domains: [String]
    /// Actor ids of the brand's own accounts in groups (`acmehq`, `jane@acme.example`).
    public var accounts: [String]

    public init(name: String, isSelf: Bool, aliases: [String], domains: [String], accounts: [String] = []) {
        self.name = name; self.isSelf = isSelf; self.aliases = aliases; self.domains = domains; self.accounts = accounts
    }
}

/// A call to action (`[[goals]]`): a visit converts when it views one of its pages.
public struct Goal: Equatable, Sendable {
    public var name: String
    /// Canonical URLs; `*` matches any run of characters (PagePattern).
    public var pages: [String]
    public init(name: String, pages: [String]) { self.name = name; self.pages = pages }
}

/// A subject whose interest the reports gauge (`[[topics]]`): its content items by URL,
/// and the words that mention it in group titles and texts.
public struct Topic: Equatable, Sendable {
    public var name: String
    public var pages: [String]
    public var keywords: [String]
    public init(name: String, pages: [String] = [], keywords: [String] = []) {
        self.name = name; self.pages = pages; self.keywords = keywords
    }
}

public struct Perception: Equatable, Sendable {
    public var current: [String]
    public var aspired: [String]
    public init(current: [String] = [], aspired: [String] = []) { self.current = current; self.aspired = aspired }
}

/// Bounds on what one file may hold, so hostile or broken input cannot exhaust time,
/// memory or disk. Past a limit, a row or the rest of a file is rejected with a reason.
public struct Limits: Equatable, Sendable {
    /// The longest CSV row or JSONL line (bytes).
    public var maxRecordBytes = 32 << 20
    /// The most bytes one file may inflate to.
    public var maxFileBytes = 64 << 30
    /// The most rows one file may hold.
    public var maxRowsPerFile = 1_000_000_000
    /// Events before this year are rejected (a unit mix-up, not history).
    public var earliestYear = 1995
    /// Events more than this many hours in the future are rejected (a clock or zone error).
    public var futureToleranceHours = 24
    public init() {}
}

/// Who may read what Footprint writes, and what rejected rows keep.
public struct Privacy: Equatable, Sendable {
    /// Permission bits of the database, lock, report and review files; folders get the
    /// same bits plus search (x) wherever reading is allowed. Owner only by default.
    public var fileMode: UInt16 = 0o600
    /// Keep the raw text of rejected rows that could not be split into fields, where a
    /// visitor or actor id cannot be removed. Off by default: the file and line still
    /// say where the row is.
    public var keepUnredactedRejects = false
    /// Name actors in reports by their id as given (and keep it in the database) instead
    /// of a pseudonym.
    public var showActorHandles = false
    public init() {}

    public var folderMode: UInt16 {
        var mode = fileMode | 0o700
        if fileMode & 0o040 != 0 { mode |= 0o010 }
        if fileMode & 0o004 != 0 { mode |= 0o001 }
        return mode
    }
}

/// Everything configurable, with the defaults of CONTRACT.md section 4.
public struct FootprintConfig: Equatable, Sendable {
    public var timezone = "UTC"
    /// Canonical page host (no `www.`) → property name.
    public var properties: [String: String] = [:]
    public var brands: [Brand] = []
    /// Referrer domain → category name, overriding the built-in lists.
    public var referrers: [String: String] = [:]
    public var perception = Perception()
    public var inputs: [InputSpec] = []
    public var csvBom = false
    /// Hex key for the visitor/actor hash; without it each database makes its own.
    public var hashKey: String?
    /// Inactivity that ends a session when the export has no session ids.
    public var sessionTimeoutMinutes = 30
    public var limits = Limits()
    /// A MaxMind-format database (.mmdb) to find the country, region and city of rows
    /// that carry an IP address but no country.
    public var geoipDatabase: String?
    /// More user-agent patterns (regular expressions) to treat as bots, on top of the
    /// built-in Crawler-Detect list.
    public var botPatterns: [String] = []
    /// Referrer spam domains to add to Matomo's list, and listed domains to exempt.
    public var spamReferrers: [String] = []
    public var notSpamReferrers: [String] = []
    /// utm_source alias → referring domain, on top of the built-in table.
    public var utmSources: [String: String] = [:]
    public var privacy = Privacy()
    public var goals: [Goal] = []
    public var topics: [Topic] = []
    /// Comments in a period that make a subscriber a VIP (`[vips] min_comments`).
    public var vipMinComments = 2
    /// How many influencers per period and platform influencers.csv lists.
    public var influencersTop = 100
    /// The embedded default (no --config): its goals and topics are the sample data's,
    /// so a page of theirs that matches nothing is no news to the user.
    public var isEmbeddedDefault = false

    public init() {}

    /// The `[[inputs]]` entry for a file name: the first whose glob matches.
    public func inputSpec(forFileName name: String) -> InputSpec? {
        inputs.first { Glob.matches(pattern: $0.match, name) }
    }

    public var selfBrand: Brand? { brands.first { $0.isSelf } }
}
