import FootprintInput
import FootprintNormalize
import FootprintStaging
import FootprintConfig

/// Writes canonical events as fact rows, resolving their dimension keys, and counts
/// which rows were new and which duplicates of rows already loaded (same source id).
///
/// Rows are inserted in batches sorted by their source hash: the dedupe index is then
/// walked in order instead of at random, which keeps its pages in cache on big loads.
///
/// A full batch is not inserted in one go: it is inserted a few rows at a time while the
/// next batch fills. The loader then takes staged rows at an even pace, so the staging
/// thread never waits for a burst of inserts to end (inserting whole batches at once left
/// each thread idle about a third of the time, measured with perf on scripts/bench data).
///
/// Page views going into an empty table (a first load) skip the batches: they are
/// appended without the dedupe index, which is built at the end (BulkPageViewLoad).
final class FactWriter {
    /// A duplicate names the key its first copy holds.
    enum Outcome { case loaded, duplicate(Int64) }

    /// A fact row waiting for its batch: its dedupe hash, identity and column values.
    /// Plain values, not closures: a closure per row cost an allocation and reference
    /// counting that showed in the loader's profile.
    private struct PendingFact {
        let hash: Int64
        let identity: String
        let row: FactRow
    }

    static let batchSize = 16_384
    /// Rows inserted from the draining batch per row queued: more than one, so a batch
    /// is always fully inserted before the next one fills.
    private static let drainPerWrite = 2
    /// The batch being filled.
    private var batch: [PendingFact] = []
    /// The previous batch, being inserted in hash order: `draining[drainOrder[i]]` for
    /// i from `drainCursor`.
    private var draining: [PendingFact] = []
    private var drainOrder: [Int32] = []
    private var drainCursor = 0
    private(set) var loadedCount = 0
    private(set) var duplicateCount = 0

    private let connection: OpaquePointer
    private let keys: DimensionKeys
    private let classifier: ReferrerClassifier
    /// Set while page views go into a table that was empty when the file began.
    private var bulk: BulkPageViewLoad?
    private let insertPageView, insertClick, insertActivity, insertSubscription, insertOutcome: SQLiteStatement
    private let sourceOfPageView, sourceOfClick, sourceOfActivity, sourceOfSubscription, sourceOfOutcome: SQLiteStatement
    /// A subscription seen again with the time it ended fills that in (once).
    private let endSubscription: SQLiteStatement
    private let keepHandle: SQLiteStatement
    private let markSessionsPending: SQLiteStatement
    /// Who holds a subscription this file added or ended: their subscriber summary is
    /// recounted after the load (Summaries.refreshSubscribers). Gathered and written with
    /// the pending visitors, in key order, not a statement per subscription.
    private let markSubscriberPending: SQLiteStatement
    private var pendingSubscribers = Set<PendingSubscriber>()
    private let referrals: ReferralTally
    private var pendingPersons = PersonKeySet()
    /// The days of this file's page views: the sessionizer recounts the pending visitors'
    /// rows of these days alone (pending_days). A file spans a few days, at most a few
    /// thousand: a set that stays small.
    private var pendingDays = Set<Int64>()
    private let markDayPending: SQLiteStatement
    private(set) var loadedGroupActivity = false
    /// The earliest day of a row changed in place (a subscription's end filled in) by
    /// this file: cached report periods from it on are stale.
    private(set) var changedFrom: Int?
    var loadFileID: Int64 = 0

    init(connection: OpaquePointer, keys: DimensionKeys, config: FootprintConfig) throws {
        self.connection = connection
        self.keys = keys
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
        insertSubscription = try prepare("""
            INSERT OR IGNORE INTO fact_subscription (source_hash, source_id, person_key, list, subscribed_at, date_key,
                unsubscribed_at, unsubscribed_date_key, load_file_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertOutcome = try prepare("""
            INSERT OR IGNORE INTO fact_outcome (source_hash, source_id, date_key, metric, value, load_file_id)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        endSubscription = try prepare("""
            UPDATE fact_subscription SET unsubscribed_at = ?, unsubscribed_date_key = ?
            WHERE source_hash = ? AND unsubscribed_at IS NULL
            """)
        // IGNORE, not REPLACE: a replaced row would leave a copy of the handle in the
        // page's free space, where `forget` could not reach it.
        keepHandle = try prepare("INSERT OR IGNORE INTO dim_actor_handle (person_key, handle) VALUES (?, ?)")
        sourceOfSubscription = try prepare("SELECT source_id FROM fact_subscription WHERE source_hash = ?")
        sourceOfOutcome = try prepare("SELECT source_id FROM fact_outcome WHERE source_hash = ?")
        sourceOfPageView = try prepare("SELECT source_id FROM fact_page_view WHERE source_hash = ?")
        sourceOfClick = try prepare("SELECT source_id FROM fact_click WHERE source_hash = ?")
        sourceOfActivity = try prepare("SELECT source_id FROM fact_group_activity WHERE source_hash = ?")
        markSessionsPending = try prepare("INSERT OR IGNORE INTO pending_sessions (person_key) VALUES (?)")
        markDayPending = try prepare("INSERT OR IGNORE INTO pending_days (date_key) VALUES (?)")
        markSubscriberPending = try prepare("INSERT OR IGNORE INTO pending_subscribers (list, person_key) VALUES (?, ?)")
        referrals = try ReferralTally(connection: connection)
    }

    /// Queues one event and inserts a few rows of the previous batch.
    func write(_ event: CanonicalEvent) throws {
        switch event {
        case .web(let view): try writePageView(view)
        case .click(let click): try writeClick(click)
        case .group(let activity): try writeActivity(activity)
        case .subscription(let subscription): try writeSubscription(subscription)
        case .outcome(let outcome): try writeOutcome(outcome)
        }
        try drain(upTo: Self.drainPerWrite)
        if batch.count >= Self.batchSize { try startDraining() }
    }

    /// Inserts every queued row: the draining batch, then the one being filled.
    func flushBatch() throws {
        try startDraining()
        try drain(upTo: Int.max)
    }

    /// Makes the filled batch the draining one, ordered by hash (small (hash, position)
    /// pairs are sorted rather than the rows themselves).
    private func startDraining() throws {
        try drain(upTo: Int.max)  // normally done already: see drainPerWrite
        swap(&draining, &batch)
        batch.removeAll(keepingCapacity: true)
        var order = draining.indices.map { (hash: draining[$0].hash, index: Int32($0)) }
        order.sort { $0.hash < $1.hash }
        drainOrder = order.map(\.index)
        drainCursor = 0
    }

    /// Inserts up to `limit` rows of the draining batch in hash order and counts the outcomes.
    private func drain(upTo limit: Int) throws {
        let end = limit >= drainOrder.count - drainCursor ? drainOrder.count : drainCursor + limit
        while drainCursor < end {
            let index = Int(drainOrder[drainCursor])
            drainCursor += 1
            // In place: copying a queued row retained its strings and showed in profiles.
            try insertAndCount(&draining[index])
        }
        if drainCursor == drainOrder.count && !drainOrder.isEmpty {
            draining.removeAll(keepingCapacity: true)
            drainOrder.removeAll(keepingCapacity: true)
            drainCursor = 0
        }
    }

    private func insertAndCount(_ fact: inout PendingFact) throws {
        switch try insertProbing(&fact) {
        case .loaded:
            switch fact.row {
            case .pageView(let view): try countLoaded(view)
            case .activity: loadedCount += 1; loadedGroupActivity = true
            case .subscription(let row): loadedCount += 1; try markPending(row)
            case .click, .outcome: loadedCount += 1
            }
        case .duplicate(let key):
            if case .subscription(let row) = fact.row, let ended = row.unsubscribedAt, let endedDay = row.unsubscribedDateKey {
                endSubscription.bind(1, ended); endSubscription.bind(2, endedDay); endSubscription.bind(3, key)
                if try endSubscription.execute() == 1 {
                    loadedCount += 1
                    try markPending(row)
                    changedFrom = min(changedFrom ?? row.dateKey, row.dateKey)
                    return
                }
            }
            duplicateCount += 1
        }
    }

    private func markPending(_ subscription: SubscriptionRow) throws {
        pendingSubscribers.insert(PendingSubscriber(list: subscription.list, person: subscription.person))
        if pendingSubscribers.count >= Self.pendingPersonsLimit { try writePendingMarks() }
    }

    private func countLoaded(_ view: PageViewRow) throws {
        loadedCount += 1
        // A bulk load marks every person, and leaves its referral counts to the
        // sessionizer, at its end instead (finishBulkPageViews).
        guard bulk == nil else { return }
        pendingPersons.insert(view.person)
        pendingDays.insert(Int64(view.dateKey))
        if pendingPersons.count >= Self.pendingPersonsLimit { try writePendingMarks() }
        try referrals.add(date: view.dateKey, content: view.content, referrer: view.referrer, at: view.viewedAt)
    }

    /// Page views of this file go in without the dedupe index (see BulkPageViewLoad);
    /// call at the start of a file whose page views go into an empty table.
    func appendPageViewsWithoutIndex() throws {
        bulk = try BulkPageViewLoad(connection: connection, loadFileID: loadFileID)
    }

    /// Builds the dedupe index after a file appended without it, counts the rows it
    /// found to be duplicates (counted as loaded until then), and leaves one mark for
    /// the sessionizer, in this file's transaction, that two things are due:
    /// - every visitor's sessions are due. The table was empty before this file, so
    ///   every person with page views came with it: one mark says "everyone", where
    ///   remembering each row's visitor took a random look-up per row and a random
    ///   insert per visitor, and copying dim_person into pending_sessions 0.06 s for
    ///   300,000 visitors;
    /// - the referral summary of these page views is due. The sessionizer's cutter
    ///   counts it on its own thread as it walks every page view anyway; counting here
    ///   cost the loading thread 7 % of its time (a table of day × content × referrer
    ///   that outgrows the CPU caches, one miss per row: scripts/bench under perf).
    private func finishBulkPageViews() throws {
        guard let bulk else { return }
        self.bulk = nil
        Trace.mark("page views appended")
        let duplicates = try bulk.finish()
        Trace.mark("dedupe index built (\(duplicates) repeats)")
        bulkSessionInput = bulk.takeSessionInput()
        loadedCount -= duplicates
        duplicateCount += duplicates
        try SQLiteStatement(connection: connection, sql: Sessionizer.markFirstLoadSQL).execute()
    }

    /// The sessionizer's input gathered by a first load of page views (see
    /// PresortedSessionInput); taken by the load session once the file commits.
    var bulkSessionInput: PresortedSessionInput?

    /// Starts counting for a new file.
    func resetCounts() {
        loadedCount = 0
        duplicateCount = 0
        changedFrom = nil
    }

    /// Writes everything still queued and records which visitors need their sessions
    /// recomputed; called before the file's transaction commits.
    func flushPending() throws {
        try flushBatch()
        try referrals.flush()
        try keys.flushPersons()
        try writePendingMarks()
        try finishBulkPageViews()  // after the persons: it marks them all
    }

    /// Visitors (pending_sessions, pending_days) and subscribers (pending_subscribers) are
    /// written in bunches, so the sets stay small however many a file has (memory must
    /// not grow with the input).
    private static let pendingPersonsLimit = 131_072

    private func writePendingMarks() throws {
        for person in pendingPersons.keys.sorted() {  // in key order: cheaper B-tree inserts
            markSessionsPending.bind(1, person)
            try markSessionsPending.execute()
        }
        pendingPersons.removeAll()
        for day in pendingDays.sorted() {
            markDayPending.bind(1, day)
            try markDayPending.execute()
        }
        pendingDays.removeAll()
        for subscriber in pendingSubscribers.sorted() {
            markSubscriberPending.bind(1, subscriber.list); markSubscriberPending.bind(2, subscriber.person)
            try markSubscriberPending.execute()
        }
        pendingSubscribers.removeAll()
    }

    func discardPending() {
        bulk = nil
        bulkSessionInput = nil
        batch.removeAll()
        draining.removeAll()
        drainOrder.removeAll()
        drainCursor = 0
        referrals.discard()
        pendingPersons.removeAll()
        pendingDays.removeAll()
        pendingSubscribers.removeAll()
        loadedGroupActivity = false
    }

    private func referrerKey(_ url: CanonicalURL?) throws -> Int64 {
        guard let url else { return try keys.referrer(domain: "") { classifier.category(ofHost: "") } }
        return try keys.referrer(of: url) { host in classifier.category(ofHost: host) }
    }

    private func writePageView(_ view: WebEvent) throws {
        let row = PageViewRow(
            dateKey: try keys.dateKey(of: view.day), viewedAt: view.occurredAt, person: try keys.person(view.visitor),
            property: try keys.property(of: view.page), content: try keys.content(view.page),
            referrer: try referrerKey(view.referrer), geo: try keys.geography(view.place),
            sessionID: view.sessionID, engagedSeconds: view.engagedSeconds)
        if let bulk {
            try bulk.append(hash: view.identityKey, identity: view.identity, row: row)
            try countLoaded(row)
            return
        }
        batch.append(PendingFact(hash: view.identityKey, identity: view.identity, row: .pageView(row)))
    }

    private func writeClick(_ click: ClickEvent) throws {
        let target = try keys.content(click.target)
        let row = ClickRow(
            dateKey: try keys.dateKey(of: click.day), clickedAt: click.occurredAt,
            shortLink: try keys.shortLink(click.shortLink, targetKey: target), content: target,
            referrer: try referrerKey(click.referrer), channel: try keys.channel(click.channel), geo: try keys.geography(click.place))
        batch.append(PendingFact(hash: click.identityKey, identity: click.identity, row: .click(row)))
    }

    private func writeActivity(_ activity: GroupEvent) throws {
        let person = try keys.person(activity.actor)
        if let handle = activity.actorHandle {
            keepHandle.bind(1, person); keepHandle.bind(2, handle)
            try keepHandle.execute()
        }
        let row = ActivityRow(
            dateKey: try keys.dateKey(of: activity.day), occurredAt: activity.occurredAt,
            group: try keys.group(platform: activity.platform, name: activity.group), person: person,
            action: activity.action, parent: activity.parentID.map { activity.platform + "\u{1F}" + $0 },
            content: try activity.sharedURL.map { try keys.content($0) }, count: activity.count,
            geo: try keys.geography(activity.place), title: activity.title, text: activity.text)
        batch.append(PendingFact(hash: activity.identityKey, identity: activity.identity, row: .activity(row)))
    }

    private func writeSubscription(_ subscription: SubscriptionEvent) throws {
        let row = SubscriptionRow(
            person: try keys.person(subscription.subscriber), list: subscription.list, subscribedAt: subscription.subscribedAt,
            dateKey: try keys.dateKey(of: subscription.subscribedDay), unsubscribedAt: subscription.unsubscribedAt,
            unsubscribedDateKey: try subscription.unsubscribedDay.map { try keys.dateKey(of: $0) })
        batch.append(PendingFact(hash: subscription.identityKey, identity: subscription.identity, row: .subscription(row)))
    }

    private func writeOutcome(_ outcome: OutcomeEvent) throws {
        let row = OutcomeRow(dateKey: try keys.dateKey(of: outcome.day), metric: outcome.metric, value: outcome.value)
        batch.append(PendingFact(hash: outcome.identityKey, identity: outcome.identity, row: .outcome(row)))
    }

    /// The statements for a row's kind: its insert and the look-up of a hash's holder.
    private func statements(_ row: FactRow) -> (insert: SQLiteStatement, lookup: SQLiteStatement) {
        switch row {
        case .pageView: return (insertPageView, sourceOfPageView)
        case .click: return (insertClick, sourceOfClick)
        case .activity: return (insertActivity, sourceOfActivity)
        case .subscription: return (insertSubscription, sourceOfSubscription)
        case .outcome: return (insertOutcome, sourceOfOutcome)
        }
    }

    /// Inserts under the hash of `identity`; when the hash is taken by another identity
    /// (a 63-bit collision), tries the next value, so dedupe stays exact.
    private func insertProbing(_ fact: inout PendingFact) throws -> Outcome {
        let (insert, lookup) = statements(fact.row)
        let identity = fact.identity
        var key = fact.hash
        while true {
            insert.bind(1, key)
            insert.bind(2, identity)
            fact.row.bind(to: insert, file: loadFileID)
            if try insert.execute() == 1 { return .loaded }
            lookup.bind(1, key)
            guard let holder = try lookup.queryText() else {
                throw WarehouseError.sqlite(code: 1, message: "a fact row was neither inserted nor found under its key", sql: "INSERT OR IGNORE … fact")
            }
            if holder == identity { return .duplicate(key) }
            key = key == Int64.max ? 1 : key + 1
        }
    }
}

/// A subscriber whose summary a load changed (pending_subscribers), in that table's order.
private struct PendingSubscriber: Hashable, Comparable {
    let list: String, person: Int64
    static func < (a: PendingSubscriber, b: PendingSubscriber) -> Bool { (a.list, a.person) < (b.list, b.person) }
}
