import FootprintNormalize

/// Where a row was located, so a reject or a summary can name it.
public struct Location: Equatable, Sendable {
    public let file: String
    public let line: Int
    public init(file: String, line: Int) { self.file = file; self.line = line }
}

/// Geography as given by the export, normalised: country as alpha-2 (`ZZ` unknown),
/// region and city as given (empty when absent).
public struct Place: Hashable, Sendable {
    public let countryCode: String
    public let region: String
    public let city: String
    public init(countryCode: String, region: String, city: String) {
        self.countryCode = countryCode; self.region = region; self.city = city
    }
}

/// A page view, normalised.
public struct WebEvent: Equatable, Sendable {
    /// The id that makes the row unique: the export's event id, or a hash of its content.
    public var identity: String
    public var occurredAt: Int64
    /// The visitor, already hashed: raw ids stop at staging.
    public var visitor: HashedPerson
    public var sessionID: String?
    public var page: CanonicalURL
    public var referrer: CanonicalURL?
    public var place: Place
    public var engagedSeconds: Double?
    /// Worked out on the staging thread, where there is time to spare: the local day
    /// in the configured zone, and the identity's 63-bit row key.
    public var day: CivilDate
    public var identityKey: Int64
}

/// A click on a short link, normalised.
public struct ClickEvent: Equatable, Sendable {
    public var identity: String
    public var occurredAt: Int64
    public var shortLink: CanonicalURL
    public var target: CanonicalURL
    public var referrer: CanonicalURL?
    public var channel: String
    public var place: Place
    public var day: CivilDate
    public var identityKey: Int64
}

/// A post, comment, share, like, view or join in a group, normalised.
public struct GroupEvent: Equatable, Sendable {
    public var identity: String
    public var activityID: String
    public var occurredAt: Int64
    public var platform: String
    public var group: String
    /// The member, already hashed: raw ids stop at staging.
    public var actor: HashedPerson
    public var action: String
    public var parentID: String?
    public var title: String
    public var text: String
    public var sharedURL: CanonicalURL?
    public var count: Int
    public var place: Place
    public var day: CivilDate
    public var identityKey: Int64
    /// The actor's id as given, only when the config asks to show handles
    /// (`show_actor_handles`); otherwise nil and the id stops here.
    public var actorHandle: String?
}

/// A subscription to a feed, e-mail list or newsletter, normalised. The identity is the
/// list, the subscriber's hash and the time subscribed: the same subscription in
/// tomorrow's export is a duplicate, one that has since ended fills in when.
public struct SubscriptionEvent: Equatable, Sendable {
    public var identity: String
    public var subscriber: HashedPerson
    public var list: String
    public var subscribedAt: Int64
    public var subscribedDay: CivilDate
    public var unsubscribedAt: Int64?
    public var unsubscribedDay: CivilDate?
    public var identityKey: Int64
}

/// A business result for one day and metric. Rows of one file with the same content are
/// told apart by their order (the second identical row is the second sale of 100), so a
/// file loaded again, or an export overlapping another, adds nothing.
public struct OutcomeEvent: Equatable, Sendable {
    public var identity: String
    public var day: CivilDate
    public var metric: String
    public var value: Double
    public var identityKey: Int64
}

/// `indirect`: each event lives in one heap box, so handing a staged row to the loader
/// and letting go of it retains and releases the box once, where copying the payload
/// retained and released each of its strings, all last touched on the staging thread
/// (callgrind: 820 instructions a row on the loading thread; now 2.13 G → 2.09 G for
/// 100,000 rows, the staging thread +0.01 G for the boxes).
public indirect enum CanonicalEvent: Equatable, Sendable {
    case web(WebEvent)
    case click(ClickEvent)
    case group(GroupEvent)
    case subscription(SubscriptionEvent)
    case outcome(OutcomeEvent)
}

/// A row that is not a person's visit or click: a bot by its user agent, or referrer
/// spam by its referring host. Kept only as a count.
public struct FilteredTraffic: Equatable, Sendable {
    public enum Cause: String, Sendable { case bot, referrerSpam = "referrer_spam" }
    public let cause: Cause
    /// The bot's name as its user agent gives it ("Googlebot"), or the listed spam domain.
    public let source: String
    /// When it happened, if the row's timestamp could be read.
    public let occurredAt: Int64?
    /// The host of the page (web) or short link (clicks) it hit; empty if unreadable.
    public let host: String

    public init(cause: Cause, source: String, occurredAt: Int64?, host: String) {
        self.cause = cause; self.source = source; self.occurredAt = occurredAt; self.host = host
    }

    /// How the summary names it: "bot (Googlebot)", "referrer spam (semalt.com)".
    public var reason: String { cause == .bot ? "bot (\(source))" : "referrer spam (\(source))" }
}
