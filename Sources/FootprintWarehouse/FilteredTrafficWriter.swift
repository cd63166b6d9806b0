import FootprintConfig
import FootprintStaging

/// Counts the rows of one file that were traffic but not people (bots, referrer spam)
/// and writes the counts, per quarter hour, page property and source, to
/// fact_filtered_traffic in the file's transaction.
final class FilteredTrafficWriter {
    private var counts = FilteredTrafficCounts()
    private let keys: DimensionKeys
    private let insert: SQLiteStatement

    init(connection: OpaquePointer, keys: DimensionKeys) throws {
        self.keys = keys
        insert = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO fact_filtered_traffic (load_file_id, kind, cause, source, property_key, date_key, bucket_at, hits)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    func count(_ traffic: FilteredTraffic) { counts.count(traffic) }
    var isFull: Bool { counts.isFull }

    func flush(fileID: Int64, kind: EventKind) throws {
        defer { counts = FilteredTrafficCounts() }
        for (key, hits) in counts.sorted {
            insert.bind(1, fileID); insert.bind(2, kind.rawValue); insert.bind(3, key.cause.rawValue); insert.bind(4, key.source)
            if kind == .web, !key.host.isEmpty {
                insert.bind(5, try keys.property(forHost: key.host))
            } else {
                insert.bindNull(5)
            }
            if let bucket = key.bucket {
                insert.bind(6, try keys.dateKey(ofUTC: bucket)); insert.bind(7, bucket)
            } else {
                insert.bindNull(6); insert.bindNull(7)
            }
            insert.bind(8, hits)
            _ = try insert.execute()
        }
    }

    func discard() { counts = FilteredTrafficCounts() }
}

/// One file's traffic that is not people, counted per cause, source, host and UTC
/// quarter hour (both loaders write these counts to fact_filtered_traffic). A year of
/// bot traffic in one file has tens of thousands of such keys (8 MB at 2 million page
/// views); past `limit` the loaders write what is counted and start again, so a key
/// may get two rows, which the reports add up.
struct FilteredTrafficCounts {
    struct Key: Hashable {
        let cause: FilteredTraffic.Cause
        let source: String
        let host: String
        /// Start of the UTC quarter hour (QuarterHour), nil when the time was unreadable.
        let bucket: Int64?
    }

    private var counts: [Key: Int] = [:]
    static let limit = 20_000
    var isFull: Bool { counts.count >= Self.limit }

    mutating func count(_ traffic: FilteredTraffic) {
        counts[Key(cause: traffic.cause, source: String(traffic.source.prefix(200)), host: traffic.host,
                   bucket: traffic.occurredAt.map(QuarterHour.start)), default: 0] += 1
    }

    /// In the order they are written: by quarter hour, then source.
    var sorted: [(key: Key, hits: Int)] {
        counts.sorted { ($0.key.bucket ?? 0, $0.key.source) < ($1.key.bucket ?? 0, $1.key.source) }.map { ($0.key, $0.value) }
    }
}

/// UTC quarter hours: every zone offset in use is a multiple of 15 minutes, so a quarter
/// hour falls on one local day in any zone (filtered traffic is kept per quarter hour,
/// and a change of zone re-days through them on PostgreSQL).
enum QuarterHour {
    static let seconds: Int64 = 900

    /// The start of the quarter hour holding `instant` (epoch seconds, negative ones too).
    static func start(_ instant: Int64) -> Int64 { instant - ((instant % seconds) + seconds) % seconds }

    /// The same in SQL, for an integer column or expression.
    static func startSQL(_ instant: String) -> String { "(\(instant) - ((\(instant) % \(seconds)) + \(seconds)) % \(seconds))" }
}
