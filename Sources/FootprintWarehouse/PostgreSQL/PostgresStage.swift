import FootprintConfig
import FootprintNormalize
import FootprintStaging

/// The staging tables a PostgreSQL load copies a file's canonical events into before
/// resolving them into the star schema with set-based SQL (PostgresLoadSession). One
/// per kind, emptied for every file (the run lock lets one load at a time use them).
/// Unlogged (nothing in them outlives a load) but not temporary: on a Citus cluster a
/// temporary table cannot be joined with a reference table outside INSERT … SELECT,
/// and these are made Citus local tables instead (CitusDistribution). Values are the
/// events' natural ones (URLs, names, hashes), never dimension keys: keys are the
/// server's business, found or made by INSERT … ON CONFLICT from these tables.
/// Column `line` is the row's ordinal in its file (its record's place, from 1), not the
/// line it starts on: several records can share a line (a JSON array written on one),
/// and the loader tells staged rows apart and orders them by it (first appearance of a
/// dimension member, the first copy of a repeat, the facts' keys).
enum PostgresStage {
    static let tables: [(name: String, columns: [(String, String)])] = [
        ("stage_page_view", [
            ("line", "BIGINT"), ("source_hash", "BIGINT"), ("source_id", "TEXT"), ("date_key", "BIGINT"), ("viewed_at", "BIGINT"),
            ("person_key", "BIGINT"), ("person_hash", "TEXT"), ("property", "TEXT"), ("url", "TEXT"), ("host", "TEXT"),
            ("referrer_domain", "TEXT"), ("referrer_category", "TEXT"), ("country_code", "TEXT"), ("region", "TEXT"),
            ("city", "TEXT"), ("country_name", "TEXT"), ("session_ref", "TEXT"), ("engaged_seconds", "DOUBLE PRECISION"),
        ]),
        ("stage_click", [
            ("line", "BIGINT"), ("source_hash", "BIGINT"), ("source_id", "TEXT"), ("date_key", "BIGINT"), ("clicked_at", "BIGINT"),
            ("short_url", "TEXT"), ("url", "TEXT"), ("host", "TEXT"), ("referrer_domain", "TEXT"), ("referrer_category", "TEXT"),
            ("channel", "TEXT"), ("country_code", "TEXT"), ("region", "TEXT"), ("city", "TEXT"), ("country_name", "TEXT"),
        ]),
        ("stage_activity", [
            ("line", "BIGINT"), ("source_hash", "BIGINT"), ("source_id", "TEXT"), ("date_key", "BIGINT"), ("occurred_at", "BIGINT"),
            ("platform", "TEXT"), ("group_name", "TEXT"), ("person_key", "BIGINT"), ("person_hash", "TEXT"), ("action", "TEXT"),
            ("parent_source_id", "TEXT"), ("parent_source_hash", "BIGINT"), ("url", "TEXT"), ("host", "TEXT"),
            ("activity_count", "BIGINT"), ("country_code", "TEXT"), ("region", "TEXT"), ("city", "TEXT"), ("country_name", "TEXT"),
            ("title", "TEXT"), ("body", "TEXT"), ("handle", "TEXT"),
        ]),
        ("stage_subscription", [
            ("line", "BIGINT"), ("source_hash", "BIGINT"), ("source_id", "TEXT"), ("person_key", "BIGINT"), ("person_hash", "TEXT"),
            ("list", "TEXT"), ("subscribed_at", "BIGINT"), ("date_key", "BIGINT"), ("unsubscribed_at", "BIGINT"),
            ("unsubscribed_date_key", "BIGINT"),
        ]),
        ("stage_outcome", [
            ("line", "BIGINT"), ("source_hash", "BIGINT"), ("source_id", "TEXT"), ("date_key", "BIGINT"), ("metric", "TEXT"),
            ("value", "DOUBLE PRECISION"),
        ]),
        ("stage_date", [
            ("date_key", "BIGINT"), ("full_date", "TEXT"), ("iso_week", "TEXT"), ("month", "TEXT"), ("quarter", "TEXT"),
            ("year", "BIGINT"), ("previous_day", "TEXT"), ("previous_week", "TEXT"), ("previous_month", "TEXT"),
            ("previous_quarter", "TEXT"), ("week_key", "BIGINT"), ("month_key", "BIGINT"), ("quarter_key", "BIGINT"),
        ]),
        ("stage_filtered", [
            ("kind", "TEXT"), ("cause", "TEXT"), ("source", "TEXT"), ("property", "TEXT"), ("date_key", "BIGINT"),
            ("bucket_at", "BIGINT"), ("hits", "BIGINT"),
        ]),
    ]

    /// Creates the tables (once per connection).
    static func create(on pg: PGConnection) throws {
        for (name, columns) in tables {
            let list = columns.map { "\($0.0) \($0.1 == "TEXT" ? "TEXT COLLATE \"C\"" : $0.1)" }.joined(separator: ", ")
            try pg.execute("CREATE UNLOGGED TABLE IF NOT EXISTS \(name) (\(list))")
        }
    }

    static func columns(of table: String) -> [String] {
        tables.first { $0.name == table }!.columns.map(\.0)
    }

    static func empty(on pg: PGConnection) throws {
        try pg.execute("TRUNCATE " + tables.map(\.name).joined(separator: ", "))
    }

    /// The staging row of an event (its table and values), and the days it refers to.
    static func row(_ event: CanonicalEvent, ordinal: Int, names: PropertyNames, classifier: ReferrerClassifier)
        -> (table: String, values: [SQLValue], days: [CivilDate])
    {
        func place(_ p: Place) -> [SQLValue] {
            [.text(p.countryCode), .text(p.region), .text(p.city), .text(Countries.name(for: p.countryCode))]
        }
        func referrer(_ url: CanonicalURL?) -> [SQLValue] {
            let host = url?.host ?? ""
            return [.text(host), .text(classifier.category(ofHost: host).rawValue)]
        }
        let number = SQLValue(ordinal)
        switch event {
        case .web(let v):
            return ("stage_page_view", [number, .integer(v.identityKey), .text(v.identity), SQLValue(v.day.key), .integer(v.occurredAt),
                                        .integer(v.visitor.key), .text(v.visitor.hash), .text(names.property(ofHost: v.page.host)),
                                        .text(v.page.text), .text(v.page.host)] + referrer(v.referrer) + place(v.place)
                        + [SQLValue(v.sessionID), v.engagedSeconds.map { .real($0) } ?? .null], [v.day])
        case .click(let c):
            return ("stage_click", [number, .integer(c.identityKey), .text(c.identity), SQLValue(c.day.key), .integer(c.occurredAt),
                                    .text(c.shortLink.text), .text(c.target.text), .text(c.target.host)]
                        + referrer(c.referrer) + [.text(c.channel)] + place(c.place), [c.day])
        case .group(let a):
            let parent = a.parentID.map { a.platform + "\u{1F}" + $0 }
            return ("stage_activity", [number, .integer(a.identityKey), .text(a.identity), SQLValue(a.day.key), .integer(a.occurredAt),
                                       .text(a.platform), .text(a.group), .integer(a.actor.key), .text(a.actor.hash), .text(a.action),
                                       SQLValue(parent), parent.map { .integer(StableHash.rowKey($0)) } ?? .null,
                                       SQLValue(a.sharedURL?.text), SQLValue(a.sharedURL?.host), SQLValue(a.count)]
                        + place(a.place) + [.text(a.title), .text(a.text), SQLValue(a.actorHandle)], [a.day])
        case .subscription(let u):
            let ended = u.unsubscribedAt != nil && u.unsubscribedDay != nil
            return ("stage_subscription", [number, .integer(u.identityKey), .text(u.identity), .integer(u.subscriber.key),
                                           .text(u.subscriber.hash), .text(u.list), .integer(u.subscribedAt), SQLValue(u.subscribedDay.key),
                                           ended ? .integer(u.unsubscribedAt!) : .null, ended ? SQLValue(u.unsubscribedDay!.key) : .null],
                    [u.subscribedDay] + (ended ? [u.unsubscribedDay!] : []))
        case .outcome(let o):
            return ("stage_outcome", [number, .integer(o.identityKey), .text(o.identity), SQLValue(o.day.key), .text(o.metric),
                                      .real(o.value)], [o.day])
        }
    }

    static func dateRow(_ date: CivilDate) -> [SQLValue] {
        DateLabels.values(for: date).map { value in
            switch value {
            case .int(let number): return SQLValue(number)
            case .text(let text): return .text(text)
            }
        }
    }
}

/// Page host → property name: the config's name, else the host itself.
struct PropertyNames {
    let names: [String: String]
    func property(ofHost host: String) -> String { names[host] ?? host }
}

/// Rows for one table, sent as COPY text in blocks of 256 KB through a COPY that stays
/// open (PGConnection.stream), so that the server reads them while the loader stages
/// more; memory stays bounded whatever the file's size. A statement on the connection,
/// or `flush`, completes the COPY (the next block opens another).
final class CopyBuffer {
    let table: String
    let columns: [String]
    private var text: [UInt8] = []
    private(set) var count = 0

    init(table: String, columns: [String]) { self.table = table; self.columns = columns }

    func append(_ row: [SQLValue], to pg: PGConnection) throws {
        PGCopyText.append(row, to: &text)
        count += 1
        if text.count >= 256 << 10 {
            try pg.stream(into: table, columns: columns, text: text)
            text.removeAll(keepingCapacity: true)
        }
    }

    /// Sends what is left and completes the COPY.
    func flush(to pg: PGConnection) throws {
        if !text.isEmpty {
            try pg.stream(into: table, columns: columns, text: text)
            text.removeAll(keepingCapacity: true)
        }
        try pg.endCopy()
    }

    func discard() { text.removeAll(); count = 0 }
}
