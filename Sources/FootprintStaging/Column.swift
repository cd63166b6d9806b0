/// The canonical columns of all kinds (CONTRACT.md section 1), as small integers: a
/// mapper keeps its compiled accessors in an array indexed by them, so reading a column
/// of a row costs an array read, not the hashing of its name (which, a dozen times per
/// row, showed in the staging thread's profile).
enum Column: Int, CaseIterable {
    case timestamp, visitorID, url, eventID, sessionID, referrer, country, region, city, engagedSeconds, userAgent, ip
    case shortURL, longURL, clickID, channel
    case activityID, group, actorID, action, platform, parentID, title, text, count
    case subscriberID, subscribedAt, unsubscribedAt, list
    case date, metric, value

    /// The names CONTRACT.md and the config use, in case order.
    private static let names = [
        "timestamp", "visitor_id", "url", "event_id", "session_id", "referrer", "country", "region", "city",
        "engaged_seconds", "user_agent", "ip", "short_url", "long_url", "click_id", "channel",
        "activity_id", "group", "actor_id", "action", "platform", "parent_id", "title", "text", "count",
        "subscriber_id", "subscribed_at", "unsubscribed_at", "list", "date", "metric", "value",
    ]
    private static let byName = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Column(rawValue: $0)!) })

    var name: String { Self.names[rawValue] }

    init?(name: String) {
        guard let column = Self.byName[name] else { return nil }
        self = column
    }
}
