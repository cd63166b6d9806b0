import GRDBSQLite

/// Page views loaded into an empty fact table (a first load, or a backfill into a new
/// database): rows are appended with the dedupe index dropped, and the index is built
/// once at the end of the file.
///
/// Why: with the index in place every row is an insert at a random spot of a B-tree.
/// Measured on the 1,920,943 page views of scripts/bench (sqlite3, same rows): 2.9 s to
/// insert them in arrival order with the unique index, against 0.8 s to append them
/// without it plus 0.8 s to build the index afterwards. The loader spent about 5 s of
/// its 9 s inserting. Later files go row by row against the index, as before.
///
/// Rows go in 32 to a statement (`INSERT OR FAIL … VALUES (…), (…), …`): each execution
/// of a statement opens the table and starts over, which for a narrow row is a large part
/// of its insert (see MultiRowInsert, and there why OR FAIL).
///
/// What the sessionizer needs of each row is collected as it goes in (`sessionInput`),
/// sorted in bounded memory; see `PresortedSessionInput`.
///
/// Exactness is kept: building the unique index fails if two rows share a hash; then the
/// later copies of an id are deleted as duplicates (the first row of an id in the file
/// is kept, as the row-by-row path keeps it) and a different id under a taken hash (a
/// 63-bit collision) moves to the next free hash, as the row-by-row path would store it.
/// All of it happens inside the file's transaction: a failure rolls back the drop too.
final class BulkPageViewLoad {
    private let connection: OpaquePointer
    /// `rowsPerStatement` rows, and one row for the rest at the end.
    private let insertMany, insertOne: SQLiteStatement
    private struct Pending {
        let hash: Int64, identity: String, row: PageViewRow
    }
    private var pending: [Pending] = []
    /// The sessionizer's input for every row appended (nil once it cannot be trusted).
    /// Runs of 65,536 rows (5 MB, and as much again while one is sorted) rather than the
    /// default 200,000: this buffer lives beside the loader's caches, and the larger one
    /// took a first load's peak from 112 MB to 139 MB (scripts/bench).
    private var sessionInput: ExternalSorter<SessionInput>? = ExternalSorter(runLength: 65_536)
    private var collected = 0
    /// Rows deleted as repeats after they were collected: the sessionizer skips them.
    private var deletedKeys: Set<Int64> = []
    /// Past this many repeats the input is dropped instead (the table is read again):
    /// the set of their keys would grow with the file.
    static let deletedKeysLimit = 500_000
    static let rowsPerStatement = 32
    static let indexSQL = "CREATE UNIQUE INDEX fact_page_view_source ON fact_page_view (source_hash)"

    /// The file every row of this load comes from.
    private let loadFileID: Int64

    /// Drops the dedupe index; call in the file's transaction, with fact_page_view empty.
    init(connection: OpaquePointer, loadFileID: Int64) throws {
        self.connection = connection
        self.loadFileID = loadFileID
        try Self.run(connection, "DROP INDEX fact_page_view_source")
        func insert(rows: Int) throws -> SQLiteStatement {
            try SQLiteStatement(connection: connection, sql: """
                INSERT OR FAIL INTO fact_page_view (source_hash, source_id, date_key, viewed_at, person_key, property_key,
                    content_key, referrer_key, geo_key, session_ref, engaged_seconds, load_file_id)
                """ + MultiRowInsert.values(rows: rows, columns: 12))
        }
        insertMany = try insert(rows: Self.rowsPerStatement)
        insertOne = try insert(rows: 1)
        pending.reserveCapacity(Self.rowsPerStatement)
    }

    /// Queues a row; a statement's worth goes in at once.
    func append(hash: Int64, identity: String, row: PageViewRow) throws {
        pending.append(Pending(hash: hash, identity: identity, row: row))
        if pending.count == Self.rowsPerStatement { try insert(pending, with: insertMany) }
    }

    /// Binds by index into the array (iterating with enumerated() copied each queued
    /// row, strings and all, through a generic tuple copy that showed in the profile).
    private func insert(_ rows: [Pending], with statement: SQLiteStatement) throws {
        for position in rows.indices {
            let offset = Int32(position * 12)
            statement.bind(offset + 1, rows[position].hash)
            statement.bind(offset + 2, rows[position].identity)
            rows[position].row.bind(to: statement, after: offset, file: loadFileID)
        }
        try statement.execute()
        // The rows took the next rowids in order (an empty table, no explicit keys).
        let first = statement.lastInsertedRowID - Int64(rows.count) + 1
        for position in rows.indices {
            try sessionInput?.append(SessionInput(rows[position].row, pageView: first + Int64(position)))
        }
        collected += rows.count
        self.pending.removeAll(keepingCapacity: true)
    }

    /// Inserts the rows still queued, builds the dedupe index, settling repeated hashes
    /// first. Returns how many rows were deleted as duplicates.
    func finish() throws -> Int {
        for row in pending { try insert([row], with: insertOne) }
        pending.removeAll()
        let settled = try Warehouse.withSortingCache(connection) { try buildIndex() }
        // Rows were deleted: the input matches the table without them. With more repeats
        // than the set holds (deletedKeys emptied), it is dropped.
        if settled > 0 && deletedKeys.isEmpty { sessionInput = nil }
        return settled
    }

    /// The sessionizer's input for the rows of this load, unless repeats were deleted.
    func takeSessionInput() -> PresortedSessionInput? {
        defer { sessionInput = nil }
        return sessionInput.map { PresortedSessionInput(rows: $0, count: collected - deletedKeys.count, skipping: deletedKeys) }
    }

    private func buildIndex() throws -> Int {
        do {
            try Self.run(connection, Self.indexSQL)
            return 0
        } catch WarehouseError.sqlite(let code, _, _) where code & 0xff == SQLITE_CONSTRAINT {
            let settled = try settleRepeatedHashes()
            try Self.run(connection, Self.indexSQL)
            return settled
        }
    }

    private func settleRepeatedHashes() throws -> Int {
        try Self.run(connection, "CREATE INDEX fact_page_view_source_scratch ON fact_page_view (source_hash)")
        func prepare(_ sql: String) throws -> SQLiteStatement { try SQLiteStatement(connection: connection, sql: sql) }
        let repeated = try prepare("SELECT source_hash FROM fact_page_view GROUP BY source_hash HAVING COUNT(*) > 1")
        var hashes: [Int64] = []
        while try repeated.step() { hashes.append(repeated.int64(0)) }
        repeated.reset()
        let rowsOfHash = try prepare("""
            SELECT page_view_key, source_id FROM fact_page_view WHERE source_hash = ? ORDER BY page_view_key
            """)
        let taken = try prepare("SELECT 1 FROM fact_page_view WHERE source_hash = ? LIMIT 1")
        let delete = try prepare("DELETE FROM fact_page_view WHERE page_view_key = ?")
        let rekey = try prepare("UPDATE fact_page_view SET source_hash = ? WHERE page_view_key = ?")
        var duplicates = 0
        for hash in hashes {
            rowsOfHash.bind(1, hash)
            var rows: [(key: Int64, id: String)] = []
            while try rowsOfHash.step() { rows.append((rowsOfHash.int64(0), rowsOfHash.text(1))) }
            rowsOfHash.reset()
            var ids: Set<String> = []
            for (position, row) in rows.enumerated() {
                if ids.contains(row.id) {
                    delete.bind(1, row.key)
                    try delete.execute()
                    duplicates += 1
                    if duplicates <= Self.deletedKeysLimit { deletedKeys.insert(row.key) } else { deletedKeys = [] }
                    continue
                }
                ids.insert(row.id)
                if position == 0 { continue }  // the first row keeps the hash
                // Another id under a taken hash: the next free hash, as row by row.
                var key = hash
                repeat {
                    key = key == Int64.max ? 1 : key + 1
                    taken.bind(1, key)
                } while try taken.queryInt() != nil
                rekey.bind(1, key); rekey.bind(2, row.key)
                try rekey.execute()
            }
        }
        try Self.run(connection, "DROP INDEX fact_page_view_source_scratch")
        return duplicates
    }

    private static func run(_ connection: OpaquePointer, _ sql: String) throws {
        try SQLiteStatement(connection: connection, sql: sql).execute()
    }
}
