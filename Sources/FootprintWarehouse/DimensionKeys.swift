import FootprintNormalize
import FootprintStaging

/// Finds or creates the surrogate key of each dimension member a fact refers to. Keys
/// are cached in memory, so each distinct member costs one look-up per run; the caches
/// are emptied when they grow past a bound, which keeps memory flat on any input.
final class DimensionKeys {
    private let connection: OpaquePointer
    private let zone: ZoneClock
    /// 20,000, not 100,000: varied exports (a long tail of referrers, utm variants) fill
    /// every cache; at 100,000 a first load of 500,000 such page views peaked at 215 MB,
    /// at 20,000 at 162 MB, in the same time (scripts/bench-nightly's data).
    private static let maxCached = 20_000

    private var dates: Set<Int> = []
    private var geographies = BoundedCache<Place, Int64>(limit: maxCached)
    // Keyed by HashedText: URLs and host names are hashed once per look-up with a cheap
    // word-at-a-time hash instead of SipHash over every byte (a few look-ups per row).
    private var contents = HashedTextCache<Int64>(limit: maxCached)
    private var referrers = HashedTextCache<Int64>(limit: maxCached)
    private var properties = BoundedCache<String, Int64>(limit: maxCached)
    private let propertyNames: [String: String]
    /// Page host → property key: one look-up per row instead of two.
    private var propertiesByHost = HashedTextCache<Int64>(limit: maxCached)
    private var shortLinks = HashedTextCache<Int64>(limit: maxCached)
    /// The same three by URL ordinal (see OrdinalKeyCache): page → content and
    /// property, referring URL → referrer.
    private var contentsByURL = OrdinalKeyCache(), propertiesByURL = OrdinalKeyCache()
    private var referrersByURL = OrdinalKeyCache()
    private var groups = BoundedCache<String, Int64>(limit: maxCached)
    // Persons arrive hashed (staging hashes ids); this remembers which keys were
    // written recently, so a returning visitor costs one array read, not an insert.
    // Direct-mapped by the key's low bits (uniform: they come from an HMAC): a key
    // pushed out by another is merely written again (INSERT OR IGNORE).
    private static let recentPersonSlots = 1 << 19
    private var recentPersons = [Int64](repeating: -1, count: recentPersonSlots)
    private var channels = BoundedCache<String, Int64>(limit: maxCached)

    private let insertDate: SQLiteStatement
    private let selectGeography, insertGeography: SQLiteStatement
    private let selectContent, insertContent: SQLiteStatement
    private let selectReferrer, insertReferrer: SQLiteStatement
    private let selectProperty, insertProperty: SQLiteStatement
    private let selectShortLink, insertShortLink: SQLiteStatement
    private let selectGroup, insertGroup: SQLiteStatement
    /// Persons go in 32 to a statement (a statement's execution costs about as much as
    /// the insert of a narrow row); one already there is left as it is.
    private let insertPersons: MultiRowInsert
    /// Persons seen in the file (and not just before), written in key order when the
    /// file ends, before its transaction commits. Sorted in bounded memory (spilling to
    /// a temporary file past 200,000), so that however many visitors a file has, they go
    /// into dim_person in key order: into an empty table (a first load) as appends, and
    /// otherwise in one ordered pass. Written 50,000 at a time, as before, each batch
    /// spread over the whole key range and cost a random B-tree insert per visitor: about
    /// a tenth of the loading thread's instructions on a first load (callgrind).
    /// A person pushed out of `recentPersons` and seen again is listed twice; the write
    /// skips the repeat.
    private var newPersons = ExternalSorter<PendingPerson>()
    private let selectChannel, insertChannel: SQLiteStatement

    /// `propertyNames`: page host (canonical, no `www.`) → property name, from config;
    /// a host not listed is its own property.
    init(connection: OpaquePointer, zone: ZoneClock, propertyNames: [String: String] = [:]) throws {
        self.connection = connection
        self.propertyNames = propertyNames
        self.zone = zone
        func prepare(_ sql: String) throws -> SQLiteStatement { try SQLiteStatement(connection: connection, sql: sql) }
        insertDate = try prepare("\(DateLabels.insertSQL)")
        selectGeography = try prepare("SELECT geo_key FROM dim_geography WHERE country_code = ? AND region = ? AND city = ?")
        insertGeography = try prepare("INSERT INTO dim_geography (country_code, region, city, country_name) VALUES (?, ?, ?, ?)")
        selectContent = try prepare("SELECT content_key FROM dim_content WHERE url = ?")
        insertContent = try prepare("INSERT INTO dim_content (url, host) VALUES (?, ?)")
        selectReferrer = try prepare("SELECT referrer_key FROM dim_referrer WHERE domain = ?")
        insertReferrer = try prepare("INSERT INTO dim_referrer (domain, category) VALUES (?, ?)")
        selectProperty = try prepare("SELECT property_key FROM dim_property WHERE name = ?")
        insertProperty = try prepare("INSERT INTO dim_property (name) VALUES (?)")
        selectShortLink = try prepare("SELECT short_link_key FROM dim_short_link WHERE short_url = ?")
        insertShortLink = try prepare("INSERT INTO dim_short_link (short_url, target_content_key) VALUES (?, ?)")
        selectGroup = try prepare("SELECT group_key FROM dim_group WHERE platform = ? AND name = ?")
        insertGroup = try prepare("INSERT INTO dim_group (platform, name) VALUES (?, ?)")
        insertPersons = MultiRowInsert(connection: connection, table: "dim_person", columns: ["person_key", "person_hash"],
                                       onConflict: .ignore, rowsPerStatement: 32)
        selectChannel = try prepare("SELECT channel_key FROM dim_channel WHERE name = ?")
        insertChannel = try prepare("INSERT INTO dim_channel (name) VALUES (?)")
    }

    /// Forget every cached key: after a rolled-back file, keys created inside it are gone.
    func reset() {
        dates = []; geographies.removeAll(); contents.removeAll(); referrers.removeAll(); properties.removeAll()
        shortLinks.removeAll(); groups.removeAll(); channels.removeAll()
        recentPersons = [Int64](repeating: -1, count: Self.recentPersonSlots)
        newPersons = ExternalSorter(); insertPersons.discard(); propertiesByHost.removeAll()
        contentsByURL.removeAll(); propertiesByURL.removeAll(); referrersByURL.removeAll()
    }

    /// The dim_date key (yyyymmdd in the configured zone) of an instant.
    func dateKey(ofUTC seconds: Int64) throws -> Int {
        try dateKey(of: zone.localDate(ofUTC: seconds))
    }

    /// The dim_date key of a local day (staging works the day out), adding its row when new.
    func dateKey(of date: CivilDate) throws -> Int {
        let key = date.key
        if dates.contains(key) { return key }
        try Self.insertDateRow(date, with: insertDate)
        dates.insert(key)
        return key
    }

    static func insertDateRow(_ date: CivilDate, with statement: SQLiteStatement) throws {
        for (index, value) in DateLabels.values(for: date).enumerated() {
            switch value {
            case .int(let number): statement.bind(Int32(index + 1), number)
            case .text(let text): statement.bind(Int32(index + 1), text)
            }
        }
        try statement.execute()
    }

    func geography(_ place: Place) throws -> Int64 {
        if let key = geographies.get(place) { return key }
        let key = try findOrInsert(select: selectGeography, insert: insertGeography) { statement, inserting in
            statement.bind(1, place.countryCode); statement.bind(2, place.region); statement.bind(3, place.city)
            if inserting { statement.bind(4, Countries.name(for: place.countryCode)) }
        }
        geographies.insert(place, key)
        return key
    }

    func content(_ url: CanonicalURL) throws -> Int64 {
        if let key = contentsByURL.key(url.ordinal) { return key }
        let key = try content(byText: url)
        contentsByURL.remember(url.ordinal, key)
        return key
    }

    private func content(byText url: CanonicalURL) throws -> Int64 {
        let cacheKey = HashedText(url.text)
        if let key = contents.get(cacheKey) { return key }
        let key = try findOrInsert(select: selectContent, insert: insertContent) { statement, inserting in
            statement.bind(1, url.text)
            if inserting { statement.bind(2, url.host) }
        }
        contents.insert(cacheKey, key)
        return key
    }

    /// The key of the referring site of `url` (its host); `category` is asked only for
    /// a domain not seen before.
    func referrer(of url: CanonicalURL, category: (String) -> ReferrerCategory) throws -> Int64 {
        if let key = referrersByURL.key(url.ordinal) { return key }
        let key = try referrer(domain: url.host) { category(url.host) }
        referrersByURL.remember(url.ordinal, key)
        return key
    }

    /// The referrer's key; `category` is asked only for a domain not seen before.
    func referrer(domain: String, category: () -> ReferrerCategory) throws -> Int64 {
        let cacheKey = HashedText(domain)
        if let key = referrers.get(cacheKey) { return key }
        let key = try findOrInsert(select: selectReferrer, insert: insertReferrer) { statement, inserting in
            statement.bind(1, domain)
            if inserting { statement.bind(2, category().rawValue) }
        }
        referrers.insert(cacheKey, key)
        return key
    }

    /// The key of the property a page belongs to (by its host).
    func property(of page: CanonicalURL) throws -> Int64 {
        if let key = propertiesByURL.key(page.ordinal) { return key }
        let key = try property(forHost: page.host)
        propertiesByURL.remember(page.ordinal, key)
        return key
    }

    /// The key of the property a page host belongs to.
    func property(forHost host: String) throws -> Int64 {
        let cacheKey = HashedText(host)
        if let key = propertiesByHost.get(cacheKey) { return key }
        let key = try property(propertyNames[host] ?? host)
        propertiesByHost.insert(cacheKey, key)
        return key
    }

    func property(_ name: String) throws -> Int64 {
        if let key = properties.get(name) { return key }
        let key = try findOrInsert(select: selectProperty, insert: insertProperty) { statement, _ in statement.bind(1, name) }
        properties.insert(name, key)
        return key
    }

    func shortLink(_ url: CanonicalURL, targetKey: Int64) throws -> Int64 {
        let cacheKey = HashedText(url.text)
        if let key = shortLinks.get(cacheKey) { return key }
        let key = try findOrInsert(select: selectShortLink, insert: insertShortLink) { statement, inserting in
            statement.bind(1, url.text)
            if inserting { statement.bind(2, targetKey) }
        }
        shortLinks.insert(cacheKey, key)
        return key
    }

    func group(platform: String, name: String) throws -> Int64 {
        let cacheKey = platform + "\u{1F}" + name
        if let key = groups.get(cacheKey) { return key }
        let key = try findOrInsert(select: selectGroup, insert: insertGroup) { statement, _ in
            statement.bind(1, platform); statement.bind(2, name)
        }
        groups.insert(cacheKey, key)
        return key
    }

    /// The person dimension stores only the keyed hash of the raw id; the key is
    /// derived from the hash, so no look-up is needed.
    /// The person's key; the dim_person row is written with the next flush.
    func person(_ person: HashedPerson) throws -> Int64 {
        let slot = Int(truncatingIfNeeded: person.key) & (Self.recentPersonSlots - 1)
        if recentPersons[slot] == person.key { return person.key }
        recentPersons[slot] = person.key
        try newPersons.append(PendingPerson(person: person))
        return person.key
    }

    /// Writes the persons seen since the last flush. Call before committing.
    func flushPersons() throws {
        var sorted = try newPersons.sorted()
        newPersons = ExternalSorter()
        var previous: Int64?
        while let pending = try sorted.next() {
            if pending.key == previous { continue }
            previous = pending.key
            insertPersons.append(pending.key)
            insertPersons.append(pending.person.hash)
            try insertPersons.endRow()
        }
        try insertPersons.flush()
    }

    func channel(_ name: String) throws -> Int64 {
        if let key = channels.get(name) { return key }
        let key = try findOrInsert(select: selectChannel, insert: insertChannel) { statement, _ in statement.bind(1, name) }
        channels.insert(name, key)
        return key
    }

    private func findOrInsert(select: SQLiteStatement, insert: SQLiteStatement,
                              bind: (SQLiteStatement, _ inserting: Bool) -> Void) throws -> Int64 {
        bind(select, false)
        if let key = try select.queryInt() { return key }
        bind(insert, true)
        try insert.execute()
        return insert.lastInsertedRowID
    }
}

/// A person waiting to be written to dim_person, ordered by its key.
struct PendingPerson: Comparable, BitwiseCopyable {
    let person: HashedPerson
    var key: Int64 { person.key }

    static func < (a: PendingPerson, b: PendingPerson) -> Bool { a.key < b.key }
    static func == (a: PendingPerson, b: PendingPerson) -> Bool { a.key == b.key }
}
