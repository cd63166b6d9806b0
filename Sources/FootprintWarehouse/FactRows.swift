import FootprintNormalize

/// A fact row with its dimension keys resolved, as FactWriter queues and inserts it.
/// Group activities, subscriptions and outcomes are rare next to page views and carry
/// text: boxed, they do not make every queued page view as large as themselves.
enum FactRow {
    case pageView(PageViewRow)
    case click(ClickRow)
    indirect case activity(ActivityRow)
    indirect case subscription(SubscriptionRow)
    indirect case outcome(OutcomeRow)

    /// Binds every column after source_hash and source_id of the row's insert.
    func bind(to s: SQLiteStatement, file: Int64) {
        switch self {
        case .pageView(let v):
            v.bind(to: s, after: 0, file: file)
        case .click(let c):
            s.bind(3, c.dateKey); s.bind(4, c.clickedAt); s.bind(5, c.shortLink); s.bind(6, c.content)
            s.bind(7, c.referrer); s.bind(8, c.channel); s.bind(9, c.geo); s.bind(10, file)
        case .activity(let a):
            s.bind(3, a.dateKey); s.bind(4, a.occurredAt); s.bind(5, a.group); s.bind(6, a.person)
            s.bind(7, a.action); s.bind(8, a.parent)
            if let content = a.content { s.bind(9, content) } else { s.bindNull(9) }
            s.bind(10, a.count); s.bind(11, a.geo); s.bind(12, a.title); s.bind(13, a.text)
            s.bind(14, file)
            if let parent = a.parent { s.bind(15, StableHash.rowKey(parent)) } else { s.bindNull(15) }
        case .subscription(let u):
            s.bind(3, u.person); s.bind(4, u.list); s.bind(5, u.subscribedAt); s.bind(6, u.dateKey)
            if let ended = u.unsubscribedAt, let day = u.unsubscribedDateKey { s.bind(7, ended); s.bind(8, day) } else { s.bindNull(7); s.bindNull(8) }
            s.bind(9, file)
        case .outcome(let o):
            s.bind(3, o.dateKey); s.bind(4, o.metric); s.bind(5, o.value); s.bind(6, file)
        }
    }
}

struct ClickRow {
    let dateKey: Int, clickedAt: Int64, shortLink: Int64, content: Int64, referrer: Int64, channel: Int64, geo: Int64
}

struct ActivityRow {
    let dateKey: Int, occurredAt: Int64, group: Int64, person: Int64, action: String, parent: String?
    let content: Int64?, count: Int, geo: Int64, title: String, text: String
}

struct SubscriptionRow {
    let person: Int64, list: String, subscribedAt: Int64, dateKey: Int, unsubscribedAt: Int64?, unsubscribedDateKey: Int?
}

struct OutcomeRow {
    let dateKey: Int, metric: String, value: Double
}

/// A page view's fact row, its dimension keys resolved.
struct PageViewRow {
    let dateKey: Int, viewedAt: Int64, person: Int64, property: Int64, content: Int64, referrer: Int64, geo: Int64
    let sessionID: String?, engagedSeconds: Double?

    /// Binds the columns after source_hash and source_id (parameters 3 to 12 of the
    /// page view inserts), for the row whose parameters start after `offset`.
    func bind(to s: SQLiteStatement, after offset: Int32, file: Int64) {
        s.bind(offset + 3, dateKey); s.bind(offset + 4, viewedAt); s.bind(offset + 5, person); s.bind(offset + 6, property)
        s.bind(offset + 7, content); s.bind(offset + 8, referrer); s.bind(offset + 9, geo); s.bind(offset + 10, sessionID)
        s.bind(offset + 11, engagedSeconds); s.bind(offset + 12, file)
    }
}
