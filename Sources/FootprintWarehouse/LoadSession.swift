import Foundation
import FootprintConfig
import FootprintNormalize
import FootprintStaging
import GRDB

/// What loading one file did. For every file: read = loaded + duplicate + rejected + skipped.
public struct FileLoadResult: Equatable, Sendable, Codable {
    public var path: String
    public var kind: String
    public var format: String
    public var read = 0
    public var loaded = 0
    public var duplicate = 0
    public var rejected = 0
    /// Rows that are not events of this kind (a preset's or entry's filter), by reason.
    public var skipped = 0
    public var skippedByReason: [String: Int] = [:]
    /// One value seen per skip reason, for the summary (`e.g. '1331923261'`).
    public var skipExamples: [String: String] = [:]
    /// Loaded rows with no country (ZZ); of those, rows whose IP could not be looked up
    /// because no GeoIP database is configured.
    public var withoutCountry = 0
    public var unresolvedIP = 0
    /// The first few rejects (line and reason), for the summary; all are in load_rejects.
    public var firstRejects: [RejectSample] = []

    public struct RejectSample: Equatable, Sendable, Codable {
        public let line: Int
        public let reason: String
    }

    /// Counts a row that is not an event of this kind (a filter's skip, or traffic that
    /// is not people), with one example value per reason.
    mutating func countSkipped(_ reason: String, example: String? = nil) {
        skipped += 1
        skippedByReason[reason, default: 0] += 1
        if let example, skipExamples[reason] == nil { skipExamples[reason] = example }
    }

    /// Counts a rejected row, keeping the first few for the summary.
    mutating func countRejected(line: Int, reason: String) {
        rejected += 1
        if firstRejects.count < 5 { firstRejects.append(.init(line: line, reason: reason)) }
    }
}

/// How far a load has got, for progress displays. A progress handler that throws
/// aborts the file, which is then rolled back as if it had never been started.
public struct LoadProgress: Sendable {
    public let path: String
    public let bytesConsumed: Int
    public let rowsRead: Int
    /// The file as stored: its size and how much of it has been read.
    public let fileBytesRead: Int
    public let fileSize: Int
}

/// Loads files into the star schema over one connection, each file in its own
/// transaction, keeping dimension caches warm from one file to the next.
public final class LoadSession {
    private let db: Database
    private let keys: DimensionKeys
    private let writer: FactWriter
    private let filtered: FilteredTrafficWriter
    private let insertFile, updateFile, insertReject: SQLiteStatement
    private let config: FootprintConfig
    public static let progressInterval = 50_000
    /// The sessionizer's input from the last file loaded with page views into an empty
    /// table (see PresortedSessionInput), once that file committed.
    private(set) var presortedSessionInput: PresortedSessionInput?
    /// Hashes visitor and actor ids with this database's key; staging uses it (through a
    /// PersonCache) so that raw ids never reach the loader.
    public let personHasher: PersonHasher

    init(db: Database, config: FootprintConfig, zone: ZoneClock, hashKey: [UInt8]) throws {
        guard let connection = db.sqliteConnection else { throw WarehouseError.unusable(path: db.description, reason: "closed") }
        self.db = db
        self.config = config
        keys = try DimensionKeys(connection: connection, zone: zone, propertyNames: config.properties)
        personHasher = PersonHasher(key: hashKey)
        writer = try FactWriter(connection: connection, keys: keys, config: config)
        filtered = try FilteredTrafficWriter(connection: connection, keys: keys)
        func prepare(_ sql: String) throws -> SQLiteStatement { try SQLiteStatement(connection: connection, sql: sql) }
        insertFile = try prepare("""
            INSERT INTO load_files (path, content_sha256, kind, format, rows_read, rows_loaded, rows_duplicate, rows_rejected,
                started_at, finished_at) VALUES (?, ?, ?, ?, 0, 0, 0, 0, ?, ?)
            """)
        updateFile = try prepare("""
            UPDATE load_files SET rows_read = ?, rows_loaded = ?, rows_duplicate = ?, rows_rejected = ?, finished_at = ?,
                rows_skipped = ?
            WHERE load_file_id = ?
            """)
        insertReject = try prepare("INSERT INTO load_rejects (load_file_id, line, reason, raw_text) VALUES (?, ?, ?, ?)")
    }

    /// The path a file with this content was loaded from before, if any (then it is skipped).
    ///
    /// A file none of whose rows loaded because they were all rejected does not count:
    /// the next run reads it again (after the mapping or the file was fixed), instead of
    /// calling it "already loaded" for good.
    public func loadedFile(withSHA256 sha: String) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT path FROM load_files
            WHERE content_sha256 = ? AND NOT (rows_loaded = 0 AND rows_duplicate = 0 AND rows_rejected > 0)
            """, arguments: [sha])
    }

    /// Loads every row of `reader` in one transaction. On any error the transaction is
    /// rolled back: the database is exactly as before this file.
    ///
    /// `replacing`: the file was loaded before (same identity) and is read
    /// again (`ingest --reload`, after its mapping was fixed): its earlier rows go first,
    /// in this same transaction, so a failure leaves the earlier load as it was.
    public func load(_ file: StagedFileReader, path: String, sha256: String, replacing: Bool = false,
                     progress: ((LoadProgress) throws -> Void)? = nil) throws -> FileLoadResult {
        var result = FileLoadResult(path: path, kind: file.kind.rawValue, format: file.format.rawValue)
        let reader = BackgroundStager(reader: file)
        defer { reader.cancel() }
        let startedAt = Int64(Date().timeIntervalSince1970)
        do {
            try db.inTransaction {
                if replacing { try EarlierLoad.remove(SQLiteConnection(db), identity: sha256) }
                // An earlier read of this content that loaded nothing (loadedFile skips
                // it): its rejects and filtered counts make way for this read's.
                for table in ["load_rejects", "fact_filtered_traffic"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE load_file_id IN (SELECT load_file_id FROM load_files WHERE content_sha256 = ?)",
                                   arguments: [sha256])
                }
                try db.execute(sql: "DELETE FROM load_files WHERE content_sha256 = ?", arguments: [sha256])
                insertFile.bind(1, path); insertFile.bind(2, sha256); insertFile.bind(3, file.kind.rawValue)
                insertFile.bind(4, file.format.rawValue); insertFile.bind(5, startedAt); insertFile.bind(6, startedAt)
                try insertFile.execute()
                let fileID = insertFile.lastInsertedRowID
                writer.loadFileID = fileID
                writer.resetCounts()
                if file.kind == .web, try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM fact_page_view)") == true {
                    try writer.appendPageViewsWithoutIndex()
                }
                while try reader.withNextRow({ row in
                    result.read += 1
                    switch row {
                    case .event(_, let event):
                        try writer.write(event)
                    case .skipped(_, let reason, let example):
                        result.countSkipped(reason, example: example)
                    case .filtered(_, let traffic):
                        result.countSkipped(traffic.reason)
                        filtered.count(traffic)
                    case .rejected(let line, let reason, let raw):
                        result.countRejected(line: line, reason: reason)
                        insertReject.bind(1, fileID); insertReject.bind(2, line); insertReject.bind(3, reason); insertReject.bind(4, raw)
                        try insertReject.execute()
                    }
                    if result.read % Self.progressInterval == 0, let progress {
                        try progress(LoadProgress(path: path, bytesConsumed: reader.bytesConsumed, rowsRead: result.read,
                                                  fileBytesRead: file.fileBytesRead, fileSize: file.fileSize))
                    }
                }) {}
                try writer.flushPending()
                try filtered.flush(fileID: fileID, kind: file.kind)
                result.loaded = writer.loadedCount
                result.withoutCountry = file.rowsWithoutCountry
                result.unresolvedIP = file.rowsWithUnresolvedIP
                result.duplicate = writer.duplicateCount
                if writer.loadedGroupActivity {
                    // New rows only: their threads are enough (unless a removal asked for all).
                    try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('cascades_stale', 'new')")
                }
                if let day = writer.changedFrom { try Warehouse.markReportsStale(db, from: day) }
                updateFile.bind(1, result.read); updateFile.bind(2, result.loaded); updateFile.bind(3, result.duplicate)
                updateFile.bind(4, result.rejected); updateFile.bind(5, Int64(Date().timeIntervalSince1970)); updateFile.bind(6, result.skipped)
                updateFile.bind(7, fileID)
                try updateFile.execute()
                return .commit
            }
        } catch {
            // Keys created inside the rolled-back transaction no longer exist.
            keys.reset()
            writer.discardPending()
            filtered.discard()
            throw error
        }
        if let input = writer.bulkSessionInput { presortedSessionInput = input }
        writer.discardPending()
        return result
    }
}

/// Removes what the earlier load of a file left (found by its identity: content and
/// context): facts, their summaries' share and their mentions; the visitors whose page
/// views go are marked for sessions to be cut again, threads for depths to be
/// recomputed. On any engine, inside the reloading file's transaction.
enum EarlierLoad {
    static func remove(_ db: SQLConnection, identity: String) throws {
        // By identity only: a path names many files over time (a nightly export written
        // under one name), and removing them all would lose data.
        let files = try db.rows("SELECT load_file_id FROM load_files WHERE content_sha256 = :sha", ["sha": .text(identity)]).map { $0[0] }
        // Rows go and others come in their place, perhaps under the same keys: every
        // cached report period is stale (reloads are rare).
        if !files.isEmpty { try markReportsStale(db, from: 0) }
        for file in files {
            let this: [String: SQLValue] = ["file": file]
            let days = try db.rows("SELECT DISTINCT date_key FROM fact_page_view WHERE load_file_id = :file", this)
                .compactMap { $0[0].int64.map { Int($0) } }
            try db.execute("""
                INSERT INTO pending_sessions (person_key) SELECT DISTINCT person_key FROM fact_page_view WHERE load_file_id = :file
                ON CONFLICT (person_key) DO NOTHING
                """, this)
            try db.execute("DELETE FROM fact_page_view WHERE load_file_id = :file", this)
            if !days.isEmpty { try Summaries.rebuildReferrals(db, days: days) }
            try db.execute("DELETE FROM fact_click WHERE load_file_id = :file", this)
            let activities = "SELECT activity_key FROM fact_group_activity WHERE load_file_id = :file"
            if try db.value("SELECT 1 FROM fact_group_activity WHERE load_file_id = :file LIMIT 1", this) != .null {
                try db.execute("DELETE FROM fact_brand_mention WHERE activity_key IN (\(activities))", this)
                try db.execute("DELETE FROM fact_term_mention WHERE activity_key IN (\(activities))", this)
                try db.execute("DELETE FROM fact_topic_mention WHERE activity_key IN (\(activities))", this)
                try db.execute("UPDATE fact_group_activity SET parent_activity_key = NULL, parent_person_key = NULL WHERE parent_activity_key IN (\(activities))", this)
                try db.execute("DELETE FROM fact_group_activity WHERE load_file_id = :file", this)
                try Meta.set(db, "cascades_stale", "all")
            }
            for table in ["fact_subscription", "fact_outcome", "fact_filtered_traffic", "load_rejects", "load_files"] {
                try db.execute("DELETE FROM \(table) WHERE load_file_id = :file", this)
            }
        }
    }
}

extension Warehouse {
    /// Opens a load session for a batch of files. Facts get their date keys in the
    /// configured zone; if the database was loaded under another zone, existing date
    /// keys are recomputed first so every period is cut the same way.
    public func withLoadSession<T>(config: FootprintConfig, _ body: (LoadSession) throws -> T) throws -> T {
        guard let zone = ZoneClock(identifier: config.timezone) else {
            throw WarehouseError.unusable(path: path, reason: "unknown time zone \(config.timezone)")
        }
        let key = try hashKey(configured: config.hashKey)
        try rezoneIfNeeded(to: zone)
        return try queue.inDatabase { db in
            let rollbackJournal = try Self.useRollbackJournalIfEmpty(db)
            let session = try LoadSession(db: db, config: config, zone: zone, hashKey: key)
            do {
                let result = try body(session)
                keepPresortedSessionInput(session.presortedSessionInput)
                // The sessionizer cuts a presorted input on this connection alone, so the
                // derived facts may go straight into the file too (see restoreWALAfterDerivedFacts).
                if rollbackJournal && session.presortedSessionInput != nil {
                    restoreWALAfterDerivedFacts = true
                } else if rollbackJournal {
                    try? Self.restoreWAL(db)
                }
                return result
            } catch {
                if rollbackJournal { try? Self.restoreWAL(db) }
                throw error
            }
        }
    }

    /// Puts the database back in WAL mode if a first load left it with a rollback journal
    /// for the derived facts. Also done by every connection that opens it (configuration).
    func restoreWALIfKeptForDerivedFacts(_ db: Database) {
        guard restoreWALAfterDerivedFacts else { return }
        restoreWALAfterDerivedFacts = false
        try? Self.restoreWAL(db)
    }

    /// A database without facts (a first load, a backfill into a new file) is loaded
    /// with a rollback journal instead of WAL. In WAL mode every page of the load is
    /// written twice, once to the WAL and once more when it is checkpointed into the
    /// database; a rollback journal writes each new page once, straight into the file,
    /// and journals only the few pages that existed before. Measured with sqlite3 on the
    /// 128 MB page-view table of scripts/bench: 1.1 s to write it in WAL mode, 0.7 s with
    /// the rollback journal. Each file stays one transaction either way: a killed load
    /// leaves a hot journal that SQLite rolls back on the next open.
    ///
    /// WAL comes back before anything else runs (the sessionizer reads on a second
    /// connection meanwhile). If another program has the database open, the switch
    /// fails quietly and the load runs in WAL mode as always.
    private static func useRollbackJournalIfEmpty(_ db: Database) throws -> Bool {
        let empty = try Bool.fetchOne(db, sql: """
            SELECT NOT EXISTS (SELECT 1 FROM fact_page_view) AND NOT EXISTS (SELECT 1 FROM fact_click)
               AND NOT EXISTS (SELECT 1 FROM fact_group_activity)
            """) ?? false
        guard empty else { return false }
        // FULL: with a rollback journal, NORMAL could let a power cut corrupt the file.
        try db.execute(sql: "PRAGMA synchronous = FULL")
        let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
        if mode?.lowercased() == "delete" { return true }
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        return false
    }

    static func restoreWAL(_ db: Database) throws {
        _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
    }
}
