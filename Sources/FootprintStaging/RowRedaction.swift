import FootprintInput

/// What CONTRACT.md and the README say is never stored — ids (kept only as keyed
/// hashes), IP addresses (used for the geolocation look-up only) and user agents (used
/// for bot detection only) — removed from a rejected row's text wherever the mapping
/// reads them: both sides of `a|b`, template placeholders, scaled and formatted paths,
/// array elements and `[key=…]` selections. The places are worked out once per file.
struct RowRedaction {
    static let neverStored: [(Column, String)] = [
        (.visitorID, "[id removed]"), (.actorID, "[id removed]"), (.subscriberID, "[id removed]"), (.ip, "[ip removed]"), (.userAgent, "[user agent removed]"),
    ]

    private var columns: [(index: Int, replacement: String)] = []
    private var paths: [(steps: [FieldAccessor.PathStep], replacement: String)] = []

    /// `slots`: a mapper's accessors, indexed by Column.
    init(slots: [FieldAccessor]) {
        for (column, replacement) in Self.neverStored {
            for source in Self.sources(of: slots[column.rawValue]) {
                switch source {
                case .csvColumn(let index): columns.append((index, replacement))
                case .jsonPath(let steps): paths.append((steps, replacement))
                default: break
                }
            }
        }
    }

    func text(of record: SourceRecord) -> String {
        switch record {
        case .csv(let row):
            var fields = row.fields
            for (index, replacement) in columns where index < fields.count && !fields[index].isEmpty {
                fields[index] = replacement
            }
            return String(fields.joined(separator: ",").prefix(maxRawRejectBytes))
        case .json(let value):
            var redacted = value
            for (steps, replacement) in paths {
                redacted = FieldAccessor.replacing(steps, in: redacted, with: .string(replacement))
            }
            return String(redacted.jsonText.prefix(maxRawRejectBytes))
        }
    }

    /// The columns and JSON paths an accessor reads.
    static func sources(of accessor: FieldAccessor) -> [FieldAccessor] {
        switch accessor {
        case .csvColumn, .jsonPath: return [accessor]
        case .firstOf(let choices): return choices.flatMap(sources)
        case .scaled(let inner, _), .formatted(let inner, _): return sources(of: inner)
        case .template(let pieces): return pieces.flatMap { piece -> [FieldAccessor] in
            if case .field(let inner) = piece { return sources(of: inner) } else { return [] }
        }
        case .constant, .absent: return []
        }
    }
}
