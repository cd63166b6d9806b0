import FootprintNormalize
import FootprintStaging
import FootprintConfig

/// Writes canonical events as fact rows, resolving their dimension keys. Returns
/// whether the row was new or a duplicate of one already loaded (same source id).
final class FactWriter {
    enum Outcome { case loaded, duplicate }

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

    func write(_ event: CanonicalEvent) throws -> Outcome {
        switch event {
        case .web(let view): return try writePageView(view)
        case .click(let click): return try writeClick(click)
        case .group(let activity): return try writeActivity(activity)
        }
    }

    /// Records which visitors need their sessions recomputed; called before commit.
    func flushPending() throws {
        try keys.flushPersons()
        for person in pendingPersons {
            markSessionsPending.bind(1, person)
            try markSessionsPending.execute()
        }
        pendingPersons.removeAll()
    }

    func discardPending() {
        pendingPersons.removeAll()
        loadedGroupActivity = false
    }

    private func referrerKey(_ url: CanonicalURL?) throws -> Int64 {
        let host = url?.host ?? ""
        return try keys.referrer(domain: host, category: classifier.category(ofHost: host))
    }

    private func writePageView(_ view: WebEvent) throws -> Outcome {
        let person = try keys.person(rawID: view.visitorID)
        let property = try keys.property(propertyByHost[view.page.host] ?? view.page.host)
        let dateKey = try keys.dateKey(ofUTC: view.occurredAt)
        let content = try keys.content(view.page)
        let referrer = try referrerKey(view.referrer)
        let geo = try keys.geography(view.place)
        let outcome = try insertProbing(view.identity, insert: insertPageView, lookup: sourceOfPageView) { s in
            s.bind(3, dateKey); s.bind(4, view.occurredAt); s.bind(5, person); s.bind(6, property)
            s.bind(7, content); s.bind(8, referrer); s.bind(9, geo); s.bind(10, view.sessionID)
            s.bind(11, view.engagedSeconds); s.bind(12, loadFileID)
        }
        if outcome == .loaded { pendingPersons.insert(person) }
        return outcome
    }

    private func writeClick(_ click: ClickEvent) throws -> Outcome {
        let dateKey = try keys.dateKey(ofUTC: click.occurredAt)
        let target = try keys.content(click.target)
        let link = try keys.shortLink(click.shortLink, targetKey: target)
        let referrer = try referrerKey(click.referrer)
        let channel = try keys.channel(click.channel)
        let geo = try keys.geography(click.place)
        return try insertProbing(click.identity, insert: insertClick, lookup: sourceOfClick) { s in
            s.bind(3, dateKey); s.bind(4, click.occurredAt); s.bind(5, link); s.bind(6, target)
            s.bind(7, referrer); s.bind(8, channel); s.bind(9, geo); s.bind(10, loadFileID)
        }
    }

    private func writeActivity(_ activity: GroupEvent) throws -> Outcome {
        let dateKey = try keys.dateKey(ofUTC: activity.occurredAt)
        let group = try keys.group(platform: activity.platform, name: activity.group)
        let person = try keys.person(rawID: activity.actorID)
        let content = try activity.sharedURL.map { try keys.content($0) }
        let geo = try keys.geography(activity.place)
        let parent = activity.parentID.map { activity.platform + "\u{1F}" + $0 }
        let outcome = try insertProbing(activity.identity, insert: insertActivity, lookup: sourceOfActivity) { s in
            s.bind(3, dateKey); s.bind(4, activity.occurredAt); s.bind(5, group); s.bind(6, person)
            s.bind(7, activity.action); s.bind(8, parent)
            if let content { s.bind(9, content) } else { s.bindNull(9) }
            s.bind(10, activity.count); s.bind(11, geo); s.bind(12, activity.title); s.bind(13, activity.text)
            s.bind(14, loadFileID)
            if let parent { s.bind(15, StableHash.rowKey(parent)) } else { s.bindNull(15) }
        }
        if outcome == .loaded { loadedGroupActivity = true }
        return outcome
    }

    /// Inserts under the hash of `identity`; when the hash is taken by another identity
    /// (a 63-bit collision), tries the next value, so dedupe stays exact.
    private func insertProbing(_ identity: String, insert: SQLiteStatement, lookup: SQLiteStatement,
                               bindRest: (SQLiteStatement) -> Void) throws -> Outcome {
        var key = StableHash.rowKey(identity)
        while true {
            insert.bind(1, key)
            insert.bind(2, identity)
            bindRest(insert)
            if try insert.execute() == 1 { return .loaded }
            lookup.bind(1, key)
            guard let holder = try lookup.queryText() else {
                throw WarehouseError.sqlite(message: "a fact row was neither inserted nor found under its key", sql: "INSERT OR IGNORE … fact")
            }
            if holder == identity { return .duplicate }
            key = key == Int64.max ? 1 : key + 1
        }
    }
}
