import Foundation
import FootprintConfig
import FootprintInput
import FootprintNormalize

/// Why a file cannot be read at all with the mapping it was given.
public struct MappingError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let reason: String
    public var description: String { "\(file): \(reason)" }
}

/// Turns the records of one file into canonical events: picks each canonical column
/// through the file's mapping, then normalises timestamps, URLs and countries. A row
/// that cannot become an event is a rejection with its reason, never an error.
public final class RecordMapper {
    public let kind: EventKind
    /// The compiled accessor of each canonical column, indexed by Column (`.absent` for
    /// another kind's columns).
    private let slots: [FieldAccessor]
    private let columnOrder: [Column]
    let zone: ZoneClock
    private let timeBounds: ClosedRange<Int64>
    private let spec: InputSpec?
    private let geoIP: GeoIPDatabase?
    private let bots: BotDetector?
    private let spam: ReferrerSpam?
    private let persons: PersonCache
    /// Whether actors' ids are kept beside their hash (config `show_actor_handles`).
    let keepsHandles: Bool
    /// How many rows of this file so far had each outcome content (OutcomeEvent).
    var outcomeOccurrences: [OutcomeContent: Int] = [:]
    private let utmSources: UTMSources
    /// Rows that ended up without a country (ZZ), and how many of those had an IP that
    /// no database was there to look up. Read from other threads for the summary.
    public let rowsWithoutCountry = ByteMeter()
    public let rowsWithUnresolvedIP = ByteMeter()
    private let filters: [(path: String, accessor: FieldAccessor, wanted: String)]
    /// Where this mapping reads what rejected rows must not keep; worked out once per file.
    private let redaction: RowRedaction
    /// Bounded like the loader's key caches (DimensionKeys.maxCached, which says why 20,000).
    private var urlCache = HashedTextCache<CanonicalURL?>(limit: 20_000)
    private var countryCache = HashedTextCache<String>(limit: 5_000)
    private var spamCache = HashedTextCache<String?>(limit: 50_000)
    /// utm_source value → the referring site it names. One URL per source, so that it
    /// keeps one ordinal (the loader's key cache; see CanonicalURL.ordinal) and the
    /// source is looked up and parsed once, not for every page view that carries it.
    private var taggedSourceCache = HashedTextCache<CanonicalURL?>(limit: 5_000)

    /// `header` is the CSV header, or nil for JSON records.
    public init(kind: EventKind, spec: InputSpec?, header: [String]?, zone: ZoneClock, file: String,
                timeBounds: ClosedRange<Int64> = Timestamps.range, persons: PersonCache,
                geoIP: GeoIPDatabase? = nil, bots: BotDetector? = nil, spam: ReferrerSpam? = nil,
                utmOverrides: [String: String] = [:], keepsHandles: Bool = false) throws(MappingError) {
        self.kind = kind
        self.keepsHandles = keepsHandles
        self.zone = zone
        self.timeBounds = timeBounds
        self.spec = spec
        self.geoIP = geoIP
        self.bots = kind == .groups ? nil : bots
        self.spam = kind == .groups ? nil : spam
        self.persons = persons
        self.utmSources = UTMSources(overrides: utmOverrides)
        var headerIndex: [String: Int]?
        var duplicates: [String: [Int]] = [:]
        if let header {
            var index: [String: Int] = [:]
            for (position, raw) in header.enumerated() {
                let name = raw.trimmingASCIIWhitespace()
                if let earlier = index[name] {
                    duplicates[name, default: [earlier + 1]].append(position + 1)
                } else {
                    index[name] = position
                }
            }
            headerIndex = index
        }
        let usesHost = CanonicalColumns.all(kind).contains { column in
            if case .template(let parts)? = spec?.fields[column] { return parts.contains(.placeholder("host")) }
            return false
        }
        if usesHost, spec?.host == nil, headerIndex?["host"] == nil {
            let entry = spec?.preset.map { "the [[inputs]] entry with preset = \"\($0)\"" } ?? "the [[inputs]] entry"
            throw MappingError(file: file, reason: "the mapping builds URLs from {host}, but no host is given: add host = \"sho.rt\" (the site's or short domain's name) to \(entry) for this file, or pass --host with --preset")
        }
        var accessors: [String: FieldAccessor] = [:]
        for column in CanonicalColumns.all(kind) {
            var source = spec?.fields[column] ?? .path(column)
            // `{host}` in a template is the entry's host (access logs carry only paths);
            // `{@folder}` the name of the folder the file is in (Slack exports keep each
            // channel's days in a folder named for the channel).
            if case .template(let parts) = source {
                source = .template(parts.map { part in
                    if part == .placeholder("host"), let host = spec?.host { return .literal(host) }
                    if part == .placeholder("@folder") { return .literal(Self.folderName(of: file)) }
                    return part
                })
            }
            accessors[column] = FieldAccessor.compile(source, header: headerIndex)
        }
        // A column this mapping reads that appears twice is ambiguous: say so rather than
        // guess which one holds the data.
        func columnsRead(_ source: FieldSource) -> [String] {
            switch source {
            case .path(let path): return path.split(separator: "|").map(String.init)
            case .template(let parts): return parts.compactMap { if case .placeholder(let p) = $0 { return p } else { return nil } }
            case .constant: return []
            case .scaled(let inner, _), .formatted(let inner, _): return columnsRead(inner)
            }
        }
        let used = Set(CanonicalColumns.all(kind).flatMap { columnsRead(spec?.fields[$0] ?? .path($0)) })
        if let (name, positions) = duplicates.first(where: { used.contains($0.key) }) {
            throw MappingError(file: file, reason: "column '\(name)' appears more than once in the header (columns \(positions.map(String.init).joined(separator: ", "))); rename one, or map the right one in an [[inputs]] entry")
        }
        if let header {
            let missing = CanonicalColumns.required(kind).filter { column in
                if case .absent = accessors[column]! { return true }
                if case .template(let pieces) = accessors[column]! {
                    return pieces.contains { if case .field(.absent) = $0 { return true } else { return false } }
                }
                return false
            }
            if !missing.isEmpty {
                let shown = header.prefix(12).joined(separator: ", ")
                throw MappingError(file: file, reason: "file looks like \(kind.rawValue) but lacks the required column(s) \(missing.joined(separator: ", ")); its header is: \(shown)\(header.count > 12 ? ", …" : ""). Map them in an [[inputs]] entry of the config (see the README, \"Configuration\")\(Self.looksLikeData(header) ? ", or add the missing header row: the first row looks like data" : "")\(spec?.preset.flatMap { Presets.notes[$0] }.map { ". " + $0 } ?? "")")
            }
        }
        self.columnOrder = CanonicalColumns.all(kind).map { Column(name: $0)! }
        self.slots = Column.allCases.map { accessors[$0.name] ?? .absent }
        self.redaction = RowRedaction(slots: slots)
        self.filters = (spec?.filters ?? [:]).sorted { $0.key < $1.key }.map { path, wanted in
            (path, FieldAccessor.compilePath(path, header: headerIndex), wanted)
        }
    }

    /// The name of the folder holding the file ("general" for `export/general/2024-05-01.json`).
    static func folderName(of path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().lastPathComponent
    }

    /// The record's text for the rejects table, without what is never stored (RowRedaction).
    public func redactedText(_ record: SourceRecord) -> String { redaction.text(of: record) }

    /// Whether the record has a value for at least one required column: a mapping that
    /// finds none of them in the first row was made for another format.
    public func resolvesAnyRequired(_ record: SourceRecord) -> Bool {
        CanonicalColumns.required(kind).contains { name in
            let column = Column(name: name)!
            if case .constant = accessor(column) { return false }
            return value(column, record) != nil
        }
    }

    /// The source paths the required columns are read from, for messages.
    public func requiredSources() -> [String] {
        CanonicalColumns.required(kind).compactMap { column in
            switch spec?.fields[column] ?? .path(column) {
            case .path(let path): return path
            case .template(let parts): return parts.compactMap { if case .placeholder(let p) = $0 { return p } else { return nil } }.joined(separator: "+")
            case .scaled(let inner, _), .formatted(let inner, _): if case .path(let path) = inner { return path } else { return nil }
            case .constant: return nil
            }
        }
    }

    /// A visit without a referrer is credited to its utm_source, when that names a site.
    func taggedSource(_ record: SourceRecord) -> CanonicalURL? {
        let source = accessor(.url).withTrimmedBytes(in: record) { bytes in bytes.flatMap(UTMSources.source(inURLBytes:)) }
        guard var source else { return nil }
        return source.withUTF8 { bytes in
            taggedSourceCache.value(forBytes: bytes) { source in utmSources.domain(for: source).map(CanonicalURL.init(domainOnly:)) }
        }
    }

    /// Whether a record is traffic that is not people: a crawler, monitor or script by
    /// its user agent, or referrer spam by its referring host. Such rows are counted (by
    /// day, property and source, for bots.csv), not loaded.
    public func notPeople(_ record: SourceRecord) -> FilteredTraffic? {
        notPeople(record, referrer: optionalURL(.referrer, record))
    }

    /// What the staging thread asks of each record: traffic that is not people, or the
    /// event (or why it is not one). The referrer, which both need, is read and made
    /// canonical once.
    public func stage(_ record: SourceRecord) -> Staged {
        let referrer = optionalURL(.referrer, record)
        if let traffic = notPeople(record, referrer: referrer) { return .notPeople(traffic) }
        return .mapped(map(record, referrer: referrer))
    }

    public enum Staged {
        case notPeople(FilteredTraffic)
        case mapped(Result<CanonicalEvent, RowRejection>)
    }

    private func notPeople(_ record: SourceRecord, referrer: CanonicalURL?) -> FilteredTraffic? {
        var found: (FilteredTraffic.Cause, String)?
        if let bots, let bot = accessor(.userAgent).withTrimmedBytes(in: record, { $0.flatMap(bots.botName(bytes:)) }) {
            found = (.bot, bot)
        } else if let referrer, let domain = spamDomain(referrer.host) {
            found = (.referrerSpam, domain)
        }
        guard let (cause, source) = found else { return nil }
        var occurredAt: Int64?
        if case .success(let seconds)? = parsedTimestamp(record), timeBounds.contains(seconds) {
            occurredAt = seconds
        }
        let page = lookUpURL(kind == .web ? .url : .shortURL, record).url
        return FilteredTraffic(cause: cause, source: source, occurredAt: occurredAt, host: page?.host ?? "")
    }

    /// The listed spam domain a referring host belongs to, looked up once per host.
    private func spamDomain(_ host: String) -> String? {
        guard let spam else { return nil }
        let key = HashedText(host)
        if let known = spamCache.get(key) { return known }
        let domain = spam.listedDomain(ofHost: host)
        spamCache.insert(key, domain)
        return domain
    }

    /// Why a record is not an event of this kind (its filter value differs), or nil: the
    /// rule, and the record's value as an example (a bit.ly archive has a heartbeat a
    /// minute, each with its own time: one rule, not 120 reasons).
    public func filterReason(_ record: SourceRecord) -> (rule: String, example: String?)? {
        for filter in filters {
            let value = filter.accessor.value(in: record)
            // An empty wanted value means "absent": the bit.ly stream's heartbeat lines
            // are the ones that carry `_heartbeat_`.
            if filter.wanted.isEmpty {
                if let value { return ("\(filter.path) is present", String(value.prefix(50))) }
                continue
            }
            if value != filter.wanted {
                return value.map { ("\(filter.path) is not '\(filter.wanted)'", String($0.prefix(50))) } ?? ("\(filter.path) is missing", nil)
            }
        }
        return nil
    }

    /// A "header" holding timestamps or URLs is a data row: the file has no header.
    static func looksLikeData(_ header: [String]) -> Bool {
        header.contains { $0.contains("://") || (Timestamps.parse($0, zone: .utc).isSuccess) }
    }

    public func map(_ record: SourceRecord) -> Result<CanonicalEvent, RowRejection> {
        map(record, referrer: optionalURL(.referrer, record))
    }

    /// `referrer`: the record's referrer, canonical (nil when absent or not a URL).
    private func map(_ record: SourceRecord, referrer: CanonicalURL?) -> Result<CanonicalEvent, RowRejection> {
        do {
            switch kind {
            case .web: return .success(.web(try mapWeb(record, referrer: referrer)))
            case .clicks: return .success(.click(try mapClick(record, referrer: referrer)))
            case .groups: return .success(.group(try mapGroup(record)))
            case .subscribers: return .success(.subscription(try mapSubscription(record)))
            case .outcomes: return .success(.outcome(try mapOutcome(record)))
            }
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Field helpers

    func accessor(_ column: Column) -> FieldAccessor { slots[column.rawValue] }

    func value(_ column: Column, _ record: SourceRecord) -> String? {
        accessor(column).value(in: record)
    }

    func required(_ column: Column, _ record: SourceRecord) throws(RowRejection) -> String {
        guard let text = value(column, record) else { throw RowRejection("missing required value '\(column.name)'") }
        return text
    }

    /// The record's timestamp parsed from its bytes; nil when it has none.
    private func parsedTimestamp(_ record: SourceRecord, _ column: Column = .timestamp) -> Result<Int64, TimestampError>? {
        accessor(column).withTrimmedBytes(in: record) { bytes in
            bytes.map { Timestamps.parse(trimmedBytes: $0, zone: zone) }
        }
    }

    /// A timestamp column's value as UTC epoch seconds, within the configured bounds.
    func timestamp(_ record: SourceRecord, _ column: Column = .timestamp) throws(RowRejection) -> Int64 {
        guard let parsed = parsedTimestamp(record, column) else { throw RowRejection("missing required value '\(column.name)'") }
        switch parsed {
        case .success(let seconds):
            guard timeBounds.contains(seconds) else {
                let raw = value(column, record) ?? ""
                throw RowRejection(seconds < timeBounds.lowerBound
                    ? "timestamp '\(raw)' is before \(CivilDate(daysSinceEpoch: Int(timeBounds.lowerBound / 86400)).isoString) (a wrong unit or a placeholder date?)"
                    : "timestamp '\(raw)' is in the future (a clock or time-zone error?)")
            }
            return seconds
        case .failure(let error):
            // Name the column when it is not the one called timestamp (subscribed_at …).
            throw RowRejection(column == .timestamp ? error.description : "\(column.name): \(error.description)")
        }
    }

    func canonicalURL(_ raw: String) -> CanonicalURL? {
        var raw = raw
        return raw.withUTF8 { canonicalURL(bytes: $0) }
    }

    /// Made once per distinct text (CanonicalURL(_:) trims, so the raw text is the key).
    func canonicalURL(bytes: UnsafeBufferPointer<UInt8>) -> CanonicalURL? {
        urlCache.value(forBytes: bytes, make: CanonicalURL.init)
    }

    private enum URLLookup {
        case absent, invalid, url(CanonicalURL)
        var url: CanonicalURL? { if case .url(let url) = self { return url } else { return nil } }
    }

    /// A column's value as a canonical URL, looked up by its bytes: the String is made
    /// and the URL parsed only the first time a text is seen (see CSVRow).
    private func lookUpURL(_ column: Column, _ record: SourceRecord) -> URLLookup {
        accessor(column).withTrimmedBytes(in: record) { bytes in
            guard let bytes else { return .absent }
            return canonicalURL(bytes: bytes).map(URLLookup.url) ?? .invalid
        }
    }

    func requiredURL(_ column: Column, _ record: SourceRecord) throws(RowRejection) -> CanonicalURL {
        switch lookUpURL(column, record) {
        case .url(let url): return url
        case .absent: throw RowRejection("missing required value '\(column.name)'")
        case .invalid: throw RowRejection("\(column.name) '\((value(column, record) ?? "").prefix(200))' is not an absolute URL")
        }
    }

    /// A referrer that is not a URL (e.g. "(direct)", "android-app://…") counts as direct
    /// rather than rejecting a page view that is otherwise fine.
    private func optionalURL(_ column: Column, _ record: SourceRecord) -> CanonicalURL? {
        lookUpURL(column, record).url
    }

    /// A visitor's or actor's id, hashed; looked up by its bytes (see CSVRow).
    func requiredPerson(_ column: Column, _ record: SourceRecord) throws(RowRejection) -> HashedPerson {
        let person = accessor(column).withTrimmedBytes(in: record) { bytes in bytes.map(persons.person(bytes:)) }
        guard let person else { throw RowRejection("missing required value '\(column.name)'") }
        return person
    }

    /// The ISO code of the record's country, looked up by its bytes; nil when it has none.
    private func countryCode(_ record: SourceRecord) -> String? {
        accessor(.country).withTrimmedBytes(in: record) { bytes -> String? in
            bytes.map { countryCache.value(forBytes: $0, make: Countries.code(for:)) }
        }
    }

    func place(_ record: SourceRecord) -> Place {
        let given = countryCode(record)
        // Only an IP: look it up (the address itself goes no further than this).
        // Only an address is looked up: a host name (Apache with HostnameLookups on) is not.
        if given == nil, let ip = value(.ip, record), GeoIPDatabase.isAddress(ip) {
            if let geoIP, let found = geoIP.place(of: ip) {
                return Place(countryCode: Countries.code(for: found.country), region: found.region, city: found.city)
            }
            rowsWithoutCountry.add(1)
            if geoIP == nil { rowsWithUnresolvedIP.add(1) }
            return Place(countryCode: Countries.unknown, region: value(.region, record) ?? "", city: value(.city, record) ?? "")
        }
        let code = given ?? Countries.code(for: "")
        if code == Countries.unknown { rowsWithoutCountry.add(1) }
        return Place(countryCode: code, region: value(.region, record) ?? "", city: value(.city, record) ?? "")
    }

    /// The id that makes a row unique: its own id column, else a hash of every mapped value.
    func identity(idColumn: Column, _ record: SourceRecord) -> String {
        if let id = value(idColumn, record) { return id }
        var content = ""
        for column in columnOrder {
            content += value(column, record) ?? ""
            content += "\u{1F}"
        }
        let high = StableHash.hash64(content, seed: 0x9E37_79B9_7F4A_7C15)
        let low = StableHash.hash64(content, seed: 0x632B_E59B_D9B4_E019)
        return "#" + String(high, radix: 16) + String(low, radix: 16)
    }
}

/// Why one row was not loaded.
public struct RowRejection: Error, Equatable, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}
