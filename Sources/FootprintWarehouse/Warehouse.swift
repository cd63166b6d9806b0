import Foundation
import FootprintConfig
import FootprintInput
import FootprintNormalize
import GRDB
import GRDBSQLite

/// The one door to the database: opens it, runs the migrations, and offers the
/// operations the pipeline needs, named for what they do.
public final class Warehouse {
    public let path: String
    let queue: DatabaseQueue
    /// Left by a first load of page views for the next sessionizer run (see
    /// PresortedSessionInput); taken once.
    private var presortedSessionInput: PresortedSessionInput?

    /// Where the sessionizer's last run took its page views from (for tests).
    var lastSessionsInput: SessionsInput?
    /// Whether the sessionizer's cutter counted the referral summary of a first load (for tests).
    var lastReferralsCountedByCutter = false

    /// Set when a first load keeps its rollback journal through the derived facts that
    /// follow: the sessions and visitor days of a first load (70 MB for scripts/bench)
    /// then go straight into the file, where in WAL mode they were written to the WAL
    /// and copied again by the checkpoint (0.2 s of the 2 s after the load). Cleared,
    /// and WAL restored, when the derived facts are done.
    var restoreWALAfterDerivedFacts = false

    func keepPresortedSessionInput(_ input: PresortedSessionInput?) { presortedSessionInput = input }

    func takePresortedSessionInput() -> PresortedSessionInput? {
        defer { presortedSessionInput = nil }
        return presortedSessionInput
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String, fileMode: UInt16 = 0o600) throws {
        self.path = path
        let configuration = Self.configuration(readOnly: false)
        let existed = FileManager.default.fileExists(atPath: path)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw WarehouseError.unusable(path: path, reason: "cannot open the database: \(ErrorText.plain(error))")
        }
        if !existed { chmod(path, mode_t(fileMode)) }
        var migrator = DatabaseMigrator()
        Migrations.register(in: &migrator)
        do {
            try migrator.migrate(queue)
        } catch {
            throw WarehouseError.unusable(path: path, reason: "cannot create or upgrade the schema: \(ErrorText.plain(error))")
        }
    }

    /// The key of the visitor/actor hash: from config if given, else made once per
    /// database and kept in it, so ids hash the same way on every run.
    public func hashKey(configured: String?) throws -> [UInt8] {
        if let configured, let bytes = [UInt8](hex: configured) { return bytes }
        return try queue.write { db in
            if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'hash_key'"),
               let bytes = [UInt8](hex: stored) {
                return bytes
            }
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('hash_key', ?)", arguments: [bytes.hexString])
            return bytes
        }
    }

    /// How every connection is set up. A read-only one (a report's second connection)
    /// must not try to change the journal mode or page size.
    static func configuration(readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.readonly = readOnly
        // Foreign keys stay declared (they document the schema, and other engines use
        // them), but SQLite does not re-check them on every insert: the loader takes
        // every key from the dimension it points to, and tests run foreign_key_check.
        // Checking cost seven B-tree look-ups per fact row.
        configuration.foreignKeysEnabled = false
        configuration.prepareDatabase { db in
            if !readOnly {
                // WAL keeps readers (a report) working while a load runs, and a killed load
                // leaves the database as it was at the last commit.
                // Larger pages make the fact tables' B-trees shallower (set before WAL; it only
                // takes effect on a new database).
                try db.execute(sql: "PRAGMA page_size = 16384")
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            // 16 MiB of page cache; sorts spill to temporary files rather than memory,
            // so peak memory stays flat however large the tables grow.
            try db.execute(sql: "PRAGMA cache_size = \(Warehouse.loadingCacheKiB)")
            // Sorts on this thread alone: with a helper thread SQLite's sorter keeps a
            // buffer per thread (propagation.csv over 200,000 pages: 109 MB against 56 MB
            // in sqlite3, same time), and the reports already run on both cores. Only
            // the first load's index builds, with nothing beside them, take a second
            // thread (BulkPageViewLoad).
            try db.execute(sql: "PRAGMA threads = 0")
            if Trace.slowSQLMilliseconds != nil, let connection = db.sqliteConnection {
                sqlite3_trace_v2(connection, UInt32(SQLITE_TRACE_PROFILE), { _, _, statement, nanoseconds in
                    let seconds = Double(nanoseconds!.load(as: Int64.self)) / 1e9
                    if seconds * 1000 >= Trace.slowSQLMilliseconds ?? 0, let sql = sqlite3_sql(OpaquePointer(statement)) {
                        Trace.slowStatement(seconds: seconds, sql: String(cString: sql))
                    }
                    return 0
                }, nil)
            }
        }
        return configuration
    }

    /// Runs `body` in a read transaction on a second, read-only connection, so that it
    /// can run on another thread beside work on the main one (reports use both cores).
    /// WAL lets both read at once; the run lock keeps other footprint writers away, so
    /// both connections see the same data.
    public func readOnSecondConnection<T>(_ body: (Database) throws -> T) throws -> T {
        let second = try DatabaseQueue(path: path, configuration: Self.configuration(readOnly: true))
        return try second.read(body)
    }

    /// Runs a read-only block (reports, tests).
    public func read<T>(_ block: (Database) throws -> T) throws -> T {
        try queue.read(block)
    }

    /// Runs a block in a write transaction (reports' helper tables, tests).
    public func write<T>(_ block: (Database) throws -> T) throws -> T {
        try queue.write(block)
    }
}

extension Warehouse {
    /// Page cache while loading (negative: KiB). 32 MiB before the memory bound of issue
    /// #18; 16 MiB loads 2 million page views as fast (scripts/bench-nightly) with 16 MB
    /// less at the peak.
    static let loadingCacheKiB = -16384

    /// Runs large sorts (sessions, report grouping) with a small page cache: SQLite then
    /// sorts in small runs and merges them, which measured faster than one large
    /// in-memory run (scripts/bench). The loading cache size is restored afterwards.
    /// Building an index sorts too, and SQLite sizes each sort thread's buffer by the page
    /// cache: the loader's cache took a first load's peak from 136 MB to 171 MB.
    public static func withSortingCache<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        guard let connection = db.sqliteConnection else { return try body() }
        return try withSortingCache(connection, body)
    }

    static func withSortingCache<T>(_ connection: OpaquePointer, _ body: () throws -> T) throws -> T {
        try SQLiteStatement(connection: connection, sql: "PRAGMA cache_size = -2048").execute()
        defer { _ = try? SQLiteStatement(connection: connection, sql: "PRAGMA cache_size = \(loadingCacheKiB)").execute() }
        return try body()
    }

    /// Turns a database error into a message that names the file and says what to do.
    public func explain(_ error: Error) -> String {
        let code: ResultCode
        let detail: String
        if let error = error as? DatabaseError {
            code = error.resultCode
            detail = error.message ?? "\(error)"
        } else if case WarehouseError.sqlite(let raw, let message, _) = error {
            code = ResultCode(rawValue: raw).primaryResultCode
            detail = message
        } else {
            return ErrorText.plain(error)
        }
        switch code {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "the database \(path) is locked by another program (an sqlite3 shell or a backup holding a transaction?); close it or try again later"
        case .SQLITE_FULL:
            return "the disk holding \(path) is full; free some space and run again (nothing was half-written)"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
            return "cannot write the database \(path) (read-only file, folder or mount?); check its permissions"
        case .SQLITE_IOERR:
            return "could not write the database \(path) (disk full, file-size limit or a failing disk: \(detail)); fix that and run again"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return "\(path) is damaged or not a Footprint database; restore it from a backup or point --db elsewhere"
        default:
            return "database \(path): \(detail)"
        }
    }
}
