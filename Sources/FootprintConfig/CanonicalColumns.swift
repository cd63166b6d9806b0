/// The canonical columns of each kind (CONTRACT.md section 1), required ones first.
public enum CanonicalColumns {
    public static func required(_ kind: EventKind) -> [String] {
        switch kind {
        case .web: return ["timestamp", "visitor_id", "url"]
        case .clicks: return ["timestamp", "short_url", "long_url"]
        case .groups: return ["activity_id", "timestamp", "group", "actor_id", "action"]
        case .subscribers: return ["subscriber_id", "subscribed_at"]
        case .outcomes: return ["date", "metric", "value"]
        }
    }

    public static func optional(_ kind: EventKind) -> [String] {
        switch kind {
        case .web: return ["event_id", "session_id", "referrer", "country", "region", "city", "engaged_seconds", "user_agent", "ip"]
        case .clicks: return ["click_id", "referrer", "channel", "country", "region", "city", "user_agent", "ip"]
        case .groups: return ["platform", "parent_id", "title", "text", "url", "count", "country"]
        case .subscribers: return ["unsubscribed_at", "list"]
        case .outcomes: return []
        }
    }

    public static func all(_ kind: EventKind) -> [String] { required(kind) + optional(kind) }

    /// Guesses a kind from the column names of a header or the keys of a JSON object:
    /// the kind whose required columns are all present (nil when none or several fit).
    public static func detectKind(fromColumns columns: Set<String>) -> EventKind? {
        let fitting = EventKind.allCases.filter { kind in required(kind).allSatisfy(columns.contains) }
        return fitting.count == 1 ? fitting[0] : nil
    }
}
