/// A parsed JSON value. Numbers keep their source text so that ids and epoch
/// milliseconds survive exactly (no trip through Double).
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value as text for a canonical column: strings as they are, numbers as written,
    /// booleans as `true`/`false`; null, arrays and objects have no text form.
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}
