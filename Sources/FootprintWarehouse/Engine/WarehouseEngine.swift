import FootprintConfig
import FootprintNormalize
import FootprintStaging

/// The one interface the pipeline sees of a warehouse, whatever the engine: SQLite
/// (Warehouse, a file) or PostgreSQL (PostgresWarehouse, a server). Everything above
/// it — ingest, reports, the report cache, run history — is written once against it.
public protocol WarehouseEngine: ReportDatabase {
    /// The file or server the warehouse lives in, for messages (never a password).
    var location: String { get }
    /// Runs `body` in a read transaction.
    func reading<T>(_ body: (SQLConnection) throws -> T) throws -> T
    /// Runs `body` in a write transaction: all of it is committed, or none.
    func writing<T>(_ body: (SQLConnection) throws -> T) throws -> T
    /// Opens a load session for a batch of files.
    func withFileLoader<T>(config: FootprintConfig, _ body: (FileLoader) throws -> T) throws -> T
    /// Brings sessions, thread depths, mentions and summaries up to date after loads.
    func refreshDerivedFacts(config: FootprintConfig) throws
    /// A database error as a message that names the database and says what to do.
    func explain(_ error: Error) -> String
    /// The key of the visitor/actor hash: from config if given, else the database's own.
    func hashKey(configured: String?) throws -> [UInt8]
    /// Runs `body` in a write transaction whose deletions must not linger in the
    /// database's files (forget): SQLite overwrites deleted pages and empties its WAL
    /// afterwards; PostgreSQL vacuums the tables, so deleted rows' space is reclaimed.
    func erasing(_ body: (SQLConnection) throws -> Void) throws
}

/// Loads files, each in its own transaction (LoadSession on SQLite, PostgresLoadSession).
public protocol FileLoader: AnyObject {
    /// Hashes visitor and actor ids with this database's key (staging uses it).
    var personHasher: PersonHasher { get }
    /// The path a file with this content was loaded from before, if any.
    func loadedFile(withSHA256 sha: String) throws -> String?
    func load(_ file: StagedFileReader, path: String, sha256: String, replacing: Bool,
              progress: ((LoadProgress) throws -> Void)?) throws -> FileLoadResult
}

extension LoadSession: FileLoader {}
extension PostgresLoadSession: FileLoader {}

/// Small key-value settings and markers of the loader (`meta`), on any engine.
enum Meta {
    static func get(_ db: SQLConnection, _ key: String) throws -> String? {
        try db.value("SELECT value FROM meta WHERE key = :key", ["key": .text(key)]).text
    }

    static func set(_ db: SQLConnection, _ key: String, _ value: String) throws {
        try db.execute("""
            INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """, ["key": .text(key), "value": .text(value)])
    }

    /// Sets the value only when the key has none.
    static func add(_ db: SQLConnection, _ key: String, _ value: String) throws {
        try db.execute("INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO NOTHING",
                       ["key": .text(key), "value": .text(value)])
    }

    static func remove(_ db: SQLConnection, _ key: String) throws {
        try db.execute("DELETE FROM meta WHERE key = :key", ["key": .text(key)])
    }
}

public extension SQLConnection {
    /// Every row of a query, read whole (for small results, and before writing on the same
    /// connection: PostgreSQL cannot run a statement while a query streams).
    func rows(_ sql: String, _ arguments: [String: SQLValue] = [:]) throws -> [[SQLValue]] {
        var rows: [[SQLValue]] = []
        try forEachRow(sql, arguments) { row in rows.append((0..<row.count).map(row.value)) }
        return rows
    }
}
