import FootprintNormalize
import FootprintStaging
import FootprintConfig

/// Writes canonical events as fact rows, resolving their dimension keys, and counts
/// which rows were new and which duplicates of rows already loaded (same source id).
///
/// Rows are inserted in batches sorted by their source hash: the dedupe index is then
/// walked in order instead of at random, which keeps its pages in cache on big loads.
final class FactWriter {
    enum Outcome { case loaded, duplicate }

    private struct PendingFact {
        let hash: Int64
        let identity: String
        let insert: SQLiteStatement
        let lookup: SQLiteStatement
        let person: Int64?
        let isActivity: Bool
        let bindRest: (SQLiteStatement) -> Void
    }

    static let batchSize = 32_768
    private var batch: [PendingFact] = []
    private(set) var loadedCount = 0
    private(set) var duplicateCount = 0

    private let keys: DimensionKeys
    private let classifier: ReferrerClassifier
    private let propertyByHost: [String: String]
    private let insertPageView, insertClick, insertActivity: SQLiteStatement
    private let sourceOfPageView, sourceOfClick, sourceOfActivity: SQLiteStatement
    private let markSessionsPending: SQLiteStatement
    private var pendingPersons: Set<Int64> = []
    private(set) var loadedGroupActivity = false
    var loadFileID: Int64 = 0

    init(connection: OpaquePointer, keys: DimensionKeys, config: FootprintConfig) throws {
        self.keys = keys
        self.propertyByHost = config.properties
        var overrides: [String: ReferrerCategory] = [:]
        for (domain, name) in config.referrers { overrides[domain] = ReferrerCategory(rawValue: name) }
        classifier = ReferrerClassifier(overrides: overrides, ownedHosts: Array(config.properties.keys))
        func prepare(_ sql: String) throws -> SQLiteStatement { try SQLiteStatement(connection: connection, sql: sql) }
        insertPageView = try prepare("""
            INSERT OR IGNORE INTO fact_page_view (source_hash, source_id, date_key, viewed_at, person_key, property_key,
                content_key, referrer_key, geo_key, session_ref, engaged_seconds, load_file_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertClick = try prepare("""
            INSERT OR IGNORE INTO fact_click (source_hash, source_id, date_key, clicked_at, short_link_key, content_key,
                referrer_key, channel_key, geo_key, load_file_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertActivity = try prepare("""
            INSERT OR IGNORE INTO fact_group_activity (source_hash, source_id, date_key, occurred_at, group_key, person_key,
                action, parent_source_id, content_key, activity_count, geo_key, title, body, load_file_id, parent_source_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        sourceOfPageView = try prepare("SELECT source_id FROM fact_page_view WHERE source_hash = ?")
        sourceOfClick = try prepare("SELECT source_id FROM fact_click WHERE source_hash = ?")
        sourceOfActivity = try prepare("SELECT source_id FROM fact_group_activity WHERE source_hash = ?")
        markSessionsPending = try prepare("INSERT OR IGNORE INTO pending_sessions (person_key) VALUES (?)")
    }

    /// Queues one event; rows reach the database in batches (see `flushBatch`).
    func write(_ event: CanonicalEvent) throws {
        switch event {
        case .web(let view): try writePageView(view)
        case .click(let click): try writeClick(click)
        case .group(let activity): try writeActivity(activity)
        }
        if batch.count >= Self.batchSize { try flushBatch() }
    }

    /// Inserts the queued rows in source-hash order and counts the outcomes.
    func flushBatch() throws {
        batch.sort { $0.hash < $1.hash }
        for fact in batch {
            switch try insertProbing(fact) {
            case .loaded:
                loadedCount += 1
                if let person = fact.person { pendingPersons.insert(person) }
                if fact.isActivity { loadedGroupActivity = true }
            case .duplicate:
                duplicateCount += 1
            }
        }
        batch.removeAll(keepingCapacity: true)
    }

    /// Starts counting for a new file.
    func resetCounts() {
        loadedCount = 0
        duplicateCount = 0
    }

    /// Writes everything still queued and records which visitors need their sessions
    /// recomputed; called before the file's transaction commits.
    func flushPending() throws {
        try flushBatch()
        try keys.flushPersons()
        for person in pendingPersons {
            markSessionsPending.bind(1, person)
            try markSessionsPending.execute()
        }
        pendingPersons.removeAll()
    }

    func discardPending() {
        batch.removeAll()
        pendingPersons.removeAll()
        loadedGroupActivity = false
    }

    private func referrerKey(_ url: CanonicalURL?) throws -> Int64 {
        let host = url?.host ?? ""
        return try keys.referrer(domain: host, category: classifier.category(ofHost: host))
    }

    private func writePageView(_ view: WebEvent) throws {
        let person = try keys.person(rawID: view.visitorID)
        let property = try keys.property(propertyByHost[view.page.host] ?? view.page.host)
        let dateKey = try keys.dateKey(ofUTC: view.occurredAt)
        let content = try keys.content(view.page)
        let referrer = try referrerKey(view.referrer)
        let geo = try keys.geography(view.place)
        let file = loadFileID
        queue(view.identity, insert: insertPageView, lookup: sourceOfPageView, person: person) { s in
            s.bind(3, dateKey); s.bind(4, view.occurredAt); s.bind(5, person); s.bind(6, property)
            s.bind(7, content); s.bind(8, referrer); s.bind(9, geo); s.bind(10, view.sessionID)
            s.bind(11, view.engagedSeconds); s.bind(12, file)
        }
    }

    private func writeClick(_ click: ClickEvent) throws {
        let dateKey = try keys.dateKey(ofUTC: click.occurredAt)
        let target = try keys.content(click.target)
        let link = try keys.shortLink(click.shortLink, targetKey: target)
        let referrer = try referrerKey(click.referrer)
        let channel = try keys.channel(click.channel)
        let geo = try keys.geography(click.place)
        let file = loadFileID
        queue(click.identity, insert: insertClick, lookup: sourceOfClick) { s in
            s.bind(3, dateKey); s.bind(4, click.occurredAt); s.bind(5, link); s.bind(6, target)
            s.bind(7, referrer); s.bind(8, channel); s.bind(9, geo); s.bind(10, file)
        }
    }

    private func writeActivity(_ activity: GroupEvent) throws {
        let dateKey = try keys.dateKey(ofUTC: activity.occurredAt)
        let group = try keys.group(platform: activity.platform, name: activity.group)
        let person = try keys.person(rawID: activity.actorID)
        let content = try activity.sharedURL.map { try keys.content($0) }
        let geo = try keys.geography(activity.place)
        let parent = activity.parentID.map { activity.platform + "\u{1F}" + $0 }
        let file = loadFileID
        queue(activity.identity, insert: insertActivity, lookup: sourceOfActivity, isActivity: true) { s in
            s.bind(3, dateKey); s.bind(4, activity.occurredAt); s.bind(5, group); s.bind(6, person)
            s.bind(7, activity.action); s.bind(8, parent)
            if let content { s.bind(9, content) } else { s.bindNull(9) }
            s.bind(10, activity.count); s.bind(11, geo); s.bind(12, activity.title); s.bind(13, activity.text)
            s.bind(14, file)
            if let parent { s.bind(15, StableHash.rowKey(parent)) } else { s.bindNull(15) }
        }
    }

    private func queue(_ identity: String, insert: SQLiteStatement, lookup: SQLiteStatement, person: Int64? = nil,
                       isActivity: Bool = false, bindRest: @escaping (SQLiteStatement) -> Void) {
        batch.append(PendingFact(hash: StableHash.rowKey(identity), identity: identity, insert: insert, lookup: lookup,
                                 person: person, isActivity: isActivity, bindRest: bindRest))
    }

    /// Inserts under the hash of `identity`; when the hash is taken by another identity
    /// (a 63-bit collision), tries the next value, so dedupe stays exact.
    private func insertProbing(_ fact: PendingFact) throws -> Outcome {
        let insert = fact.insert, lookup = fact.lookup, identity = fact.identity
        var key = fact.hash
        while true {
            insert.bind(1, key)
            insert.bind(2, identity)
            fact.bindRest(insert)
            if try insert.execute() == 1 { return .loaded }
            lookup.bind(1, key)
            guard let holder = try lookup.queryText() else {
                throw WarehouseError.sqlite(code: 1, message: "a fact row was neither inserted nor found under its key", sql: "INSERT OR IGNORE … fact")
            }
            if holder == identity { return .duplicate }
            key = key == Int64.max ? 1 : key + 1
        }
    }
}
