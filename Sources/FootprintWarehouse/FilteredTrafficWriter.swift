import FootprintConfig
import FootprintStaging

/// Counts the rows of one file that were traffic but not people (bots, referrer spam)
/// and writes the counts, per quarter hour, page property and source, to
/// fact_filtered_traffic in the file's transaction.
final class FilteredTrafficWriter {
    private struct Key: Hashable {
        let cause: FilteredTraffic.Cause
        let source: String
        let host: String
        /// Start of the UTC quarter hour: every zone offset in use is a multiple of 15
        /// minutes, so a bucket falls on one local day in any zone.
        let bucket: Int64?
    }

    private var counts: [Key: Int] = [:]
    private let keys: DimensionKeys
    private let insert: SQLiteStatement

    init(connection: OpaquePointer, keys: DimensionKeys) throws {
        self.keys = keys
        insert = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO fact_filtered_traffic (load_file_id, kind, cause, source, property_key, date_key, bucket_at, hits)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    func count(_ traffic: FilteredTraffic) {
        let bucket = traffic.occurredAt.map { $0 - (($0 % 900) + 900) % 900 }
        counts[Key(cause: traffic.cause, source: String(traffic.source.prefix(200)), host: traffic.host, bucket: bucket),
               default: 0] += 1
    }

    func flush(fileID: Int64, kind: EventKind) throws {
        defer { counts.removeAll() }
        for (key, hits) in counts.sorted(by: { ($0.key.bucket ?? 0, $0.key.source) < ($1.key.bucket ?? 0, $1.key.source) }) {
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

    func discard() { counts.removeAll() }
}
