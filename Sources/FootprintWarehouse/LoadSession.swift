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
    private let insertReject: SQLiteStatement
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
        insertReject = try prepare("INSERT INTO load_rejects (load_file_id, line, reason, raw_text) VALUES (?, ?, ?, ?)")
    }

    /// The path a file with this content was loaded from before, if any (LoadFiles).
    public func loadedFile(withSHA256 sha: String) throws -> String? {
        try LoadFiles.loadedPath(SQLiteConnection(db), sha256: sha)
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
                let fileID = try LoadFiles.begin(SQLiteConnection(db), path: path, sha256: sha256, kind: file.kind.rawValue,
                                                 format: file.format.rawValue, replacing: replacing, startedAt: startedAt)
                writer.loadFileID = fileID
                writer.resetCounts()
                if file.kind == .web, try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM fact_page_view)") == true {
                    try writer.appendPageViewsWithoutIndex()
                }
                try StagedRows.read(reader, of: file, path: path, into: &result, progress: progress,
                                    event: { _, event in try writer.write(event) },
                                    filtered: { traffic in
                                        filtered.count(traffic)
                                        if filtered.isFull { try filtered.flush(fileID: fileID, kind: file.kind) }
                                    },
                                    rejected: { line, reason, raw in
                    insertReject.bind(1, fileID); insertReject.bind(2, line); insertReject.bind(3, reason); insertReject.bind(4, raw)
                    try insertReject.execute()
                })
                try writer.flushPending()
                try filtered.flush(fileID: fileID, kind: file.kind)
                result.loaded = writer.loadedCount
                result.withoutCountry = file.rowsWithoutCountry
                result.unresolvedIP = file.rowsWithUnresolvedIP
                result.duplicate = writer.duplicateCount
                let connection = try SQLiteConnection(db)
                // New rows only: their threads are enough (unless a removal asked for all).
                if writer.loadedGroupActivity { try Meta.add(connection, "cascades_stale", "new") }
                if let day = writer.changedFrom { try markReportsStale(connection, from: day) }
                try LoadFiles.finish(connection, fileID: fileID, result)
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

/// Reads a file's staged rows for either loader: counts each in the file's result
/// (read, skipped with its reason, rejected), hands events, filtered traffic and rejects
/// to the loader, and reports progress every `LoadSession.progressInterval` rows.
enum StagedRows {
    static func read(_ reader: BackgroundStager, of file: StagedFileReader, path: String, into result: inout FileLoadResult,
                     progress: ((LoadProgress) throws -> Void)?,
                     event: (_ line: Int, CanonicalEvent) throws -> Void,
                     filtered: (FilteredTraffic) throws -> Void,
                     rejected: (_ line: Int, _ reason: String, _ raw: String) throws -> Void) throws {
        while try reader.withNextRow({ row in
            result.read += 1
            switch row {
            case .event(let line, let staged):
                try event(line, staged)
            case .skipped(_, let reason, let example):
                result.countSkipped(reason, example: example)
            case .filtered(_, let traffic):
                result.countSkipped(traffic.reason)
                try filtered(traffic)
            case .rejected(let line, let reason, let raw):
                result.countRejected(line: line, reason: reason)
                try rejected(line, reason, raw)
            }
            if result.read % LoadSession.progressInterval == 0, let progress {
                try progress(LoadProgress(path: path, bytesConsumed: reader.bytesConsumed, rowsRead: result.read,
                                          fileBytesRead: file.fileBytesRead, fileSize: file.fileSize))
            }
        }) {}
    }
}

/// The bookkeeping of loaded files (`load_files`), the same for both loaders.
enum LoadFiles {
    /// The path a file with this content was loaded from before, if any (then it is skipped).
    ///
    /// A file none of whose rows loaded because they were all rejected does not count:
    /// the next run reads it again (after the mapping or the file was fixed), instead of
    /// calling it "already loaded" for good.
    static func loadedPath(_ db: SQLConnection, sha256: String) throws -> String? {
        try db.value("""
            SELECT path FROM load_files
            WHERE content_sha256 = :sha AND NOT (rows_loaded = 0 AND rows_duplicate = 0 AND rows_rejected > 0)
            """, ["sha": .text(sha256)]).text
    }

    /// Starts a file's load inside its transaction and returns its `load_file_id`: an
    /// earlier load of the same identity goes first when `replacing` (`ingest --reload`),
    /// and an earlier read that loaded nothing makes way (its rejects and filtered counts).
    static func begin(_ db: SQLConnection, path: String, sha256: String, kind: String, format: String,
                      replacing: Bool, startedAt: Int64) throws -> Int64 {
        if replacing { try EarlierLoad.remove(db, identity: sha256) }
        let sha: [String: SQLValue] = ["sha": .text(sha256)]
        // Looked up first: with nothing to remove (a new file, nearly always), SQLite
        // still scanned every filtered-traffic row against the empty list (0.06 s a night
        // of six files at 2 million page views of history).
        let earlier = try db.rows("SELECT load_file_id FROM load_files WHERE content_sha256 = :sha", sha).compactMap { $0[0].int64 }
        if !earlier.isEmpty {
            let files = earlier.map(String.init).joined(separator: ", ")
            for table in ["load_rejects", "fact_filtered_traffic"] {
                try db.execute("DELETE FROM \(table) WHERE load_file_id IN (\(files))")
            }
            try db.execute("DELETE FROM load_files WHERE content_sha256 = :sha", sha)
        }
        return try db.value("""
            INSERT INTO load_files (path, content_sha256, kind, format, rows_read, rows_loaded, rows_duplicate, rows_rejected,
                started_at, finished_at) VALUES (:path, :sha, :kind, :format, 0, 0, 0, 0, :now, :now)
            RETURNING load_file_id
            """, ["path": .text(path), "sha": .text(sha256), "kind": .text(kind), "format": .text(format),
                  "now": .integer(startedAt)]).int64 ?? 0
    }

    /// Records a file's counts (read = loaded + duplicate + rejected + skipped, checked by the schema).
    static func finish(_ db: SQLConnection, fileID: Int64, _ result: FileLoadResult) throws {
        try db.execute("""
            UPDATE load_files SET rows_read = :read, rows_loaded = :loaded, rows_duplicate = :duplicate, rows_rejected = :rejected,
                finished_at = :now, rows_skipped = :skipped
            WHERE load_file_id = :file
            """, ["read": SQLValue(result.read), "loaded": SQLValue(result.loaded), "duplicate": SQLValue(result.duplicate),
                  "rejected": SQLValue(result.rejected), "skipped": SQLValue(result.skipped),
                  "now": .integer(Int64(Date().timeIntervalSince1970)), "file": .integer(fileID)])
    }
}

/// Removes what the earlier load of a file left (found by its identity: content and
/// context): facts, their summaries' share and their mentions; the visitors whose page
/// views go are marked for sessions to be cut again (and their days for visitor days to be
/// recounted), threads for depths to be
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
            for day in days {
                try db.execute("INSERT INTO pending_days (date_key) VALUES (:day) ON CONFLICT (date_key) DO NOTHING", ["day": SQLValue(day)])
            }
            // A session that started before these days may have lost views: the next pass
            // cuts the visitors from their first day.
            if !days.isEmpty { try Meta.set(db, Sessionizer.fromStartMark, "yes") }
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
            try db.execute("""
                INSERT INTO pending_subscribers (list, person_key)
                SELECT DISTINCT list, person_key FROM fact_subscription WHERE load_file_id = :file
                ON CONFLICT (list, person_key) DO NOTHING
                """, this)
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
