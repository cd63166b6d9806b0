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
/// Exactness is kept: every hash appended goes into a filter (`SeenHashes`), and a hash
/// the filter may have seen before is noted as a suspect. With no suspects the unique
/// index is built at once; otherwise the rows of the suspect hashes are read in one scan,
/// the later copies of an id are deleted as duplicates (the first row of an id in the
/// file is kept, as the row-by-row path keeps it) and a different id under a taken hash
/// (a 63-bit collision) moves to the next free hash, as the row-by-row path would store
/// it. Suspects and their rows go through temporary tables (on disk: SQLite's temporary
/// store is a file here), not memory: the filter's false positives grow with the file
/// (1 in 20 rows at 10 million, most rows past 50 million), and a set of them, or of
/// their rows with their ids, would grow with it. Before the filter, repeats (3 % of the rows of an overlapping export) cost three
/// index builds (the failed one, a scratch one, the final one) and a look-up per
/// repeated hash: about a fifth of a first load of varied data (scripts/bench-nightly).
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
    /// Hashes appended so far, and those that may have come before (every true repeat
    /// is among them: the filter has no false negatives).
    private var seen = SeenHashes()
    /// Suspects not yet written to `temp.suspect_hash`, and whether that table was made
    /// (it and `temp.suspect_row` are made in the file's transaction, so a failure takes
    /// them away with the rows; settling drops them).
    private var suspects: [Int64] = []
    private var anySuspect = false
    /// Suspects are written to their table this many at a time, sorted (a few B-tree
    /// pages each time rather than one per hash); 128 KB.
    static let suspectBatch = 16_384
    /// Past this many repeats the input is dropped instead (the table is read again):
    /// the set of their keys would grow with the file.
    static let deletedKeysLimit = 500_000
    static let rowsPerStatement = 32
    static let indexSQL = "CREATE UNIQUE INDEX fact_page_view_source ON fact_page_view (source_hash)"
    /// The sessionizer's way to a night's visitors (migration v19), built after the rows.
    static let dayIndexSQL = "CREATE INDEX fact_page_view_by_day ON fact_page_view (date_key, person_key)"

    /// The file every row of this load comes from.
    private let loadFileID: Int64

    /// Drops the dedupe index; call in the file's transaction, with fact_page_view empty.
    init(connection: OpaquePointer, loadFileID: Int64) throws {
        self.connection = connection
        self.loadFileID = loadFileID
        try Self.run(connection, "DROP INDEX fact_page_view_source")
        try Self.run(connection, "DROP INDEX fact_page_view_by_day")
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
        if seen.insert(hash) {
            suspects.append(hash)
            if suspects.count == Self.suspectBatch { try writeSuspects() }
        }
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
        // The one place a second sorting thread pays (1.9 → 1.5 s for both indexes at 2
        // million rows): nothing else runs meanwhile.
        try Self.run(connection, "PRAGMA threads = 2")
        defer { try? Self.run(connection, "PRAGMA threads = 0") }
        let settled = try Warehouse.withSortingCache(connection) { () throws -> Int in
            let settled = try buildIndex()
            try Self.run(connection, Self.dayIndexSQL)
            return settled
        }
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
        if !suspects.isEmpty { try writeSuspects() }
        let settled = anySuspect ? try settleRepeatedHashes() : 0
        try Self.run(connection, Self.indexSQL)
        return settled
    }

    /// Adds the queued suspects to `temp.suspect_hash`, made on first use.
    private func writeSuspects() throws {
        if !anySuspect {
            try Self.run(connection, "CREATE TEMP TABLE suspect_hash (hash INTEGER PRIMARY KEY)")
            anySuspect = true
        }
        let note = try SQLiteStatement(connection: connection, sql: "INSERT OR IGNORE INTO temp.suspect_hash (hash) VALUES (?)")
        for hash in suspects.sorted() {
            note.bind(1, hash)
            try note.execute()
        }
        suspects.removeAll(keepingCapacity: true)
    }

    /// Deletes the later copies of an id and rekeys other ids under a taken hash, reading
    /// only the rows of the suspect hashes (one scan of the table, no index).
    private func settleRepeatedHashes() throws -> Int {
        func prepare(_ sql: String) throws -> SQLiteStatement { try SQLiteStatement(connection: connection, sql: sql) }
        // A scan can get ahead of the deletes and updates below, which SQLite does not
        // allow on one table: the suspect rows are copied out first, into a table of
        // their own rather than memory (there may be millions).
        try Self.run(connection, """
            CREATE TEMP TABLE suspect_row AS
            SELECT source_hash AS hash, page_view_key AS key, source_id AS id FROM fact_page_view
            WHERE source_hash IN (SELECT hash FROM temp.suspect_hash)
            """)
        try Self.run(connection, "DROP TABLE temp.suspect_hash")
        let suspectRows = try prepare("SELECT hash, key, id FROM temp.suspect_row ORDER BY hash, key")
        let taken = try prepare("SELECT 1 FROM fact_page_view WHERE source_hash = ? LIMIT 1")
        let delete = try prepare("DELETE FROM fact_page_view WHERE page_view_key = ?")
        let rekey = try prepare("UPDATE fact_page_view SET source_hash = ? WHERE page_view_key = ?")
        var duplicates = 0
        // The ids under the hash being read (one, but for a 63-bit collision).
        var group: Int64?
        var ids: Set<String> = []
        while try suspectRows.step() {
            let hash = suspectRows.int64(0), key = suspectRows.int64(1), id = suspectRows.text(2)
            if hash != group { group = hash; ids.removeAll(keepingCapacity: true) }
            if ids.contains(id) {
                delete.bind(1, key)
                try delete.execute()
                duplicates += 1
                if duplicates <= Self.deletedKeysLimit { deletedKeys.insert(key) } else { deletedKeys = [] }
                continue
            }
            ids.insert(id)
            if ids.count == 1 { continue }  // the first row keeps the hash
            // Another id under a taken hash (a 63-bit collision, next to never): the
            // next free hash, as row by row. Each probe scans the table.
            var free = hash
            repeat {
                free = free == Int64.max ? 1 : free + 1
                taken.bind(1, free)
            } while try taken.queryInt() != nil
            rekey.bind(1, free); rekey.bind(2, key)
            try rekey.execute()
        }
        suspectRows.reset()
        try Self.run(connection, "DROP TABLE temp.suspect_row")
        return duplicates
    }

    private static func run(_ connection: OpaquePointer, _ sql: String) throws {
        try SQLiteStatement(connection: connection, sql: sql).execute()
    }
}

/// A Bloom filter of the 63-bit row hashes of one first load: `insert` says whether a
/// hash may have been inserted before (true for every real repeat, and for about 1 in
/// 1,400 new hashes at 2 million rows, 1 in 20 at 10 million). 8 MB whatever the file.
/// The row keys are well-mixed 63-bit hashes (StableHash.rowKey), so three slices of
/// one serve as the three indices.
struct SeenHashes {
    private static let bitCount = 1 << 26
    private var words = [UInt64](repeating: 0, count: SeenHashes.bitCount / 64)

    /// Adds the hash; true when all its bits were already set. Called for every row of
    /// a first load: three probes, no allocation.
    mutating func insert(_ hash: Int64) -> Bool {
        let h = UInt64(bitPattern: hash)
        let mask = UInt64(Self.bitCount - 1)
        let first = set(h & mask), second = set((h >> 21) & mask), third = set(((h >> 42) | (h << 22)) & mask)
        return first && second && third
    }

    /// Sets one bit; true when it was set already.
    private mutating func set(_ index: UInt64) -> Bool {
        let word = Int(index >> 6), bit = UInt64(1) << (index & 63)
        defer { words[word] |= bit }
        return words[word] & bit != 0
    }
}
