import Foundation
import FootprintConfig
import FootprintNormalize

/// The warehouse on a PostgreSQL server (`--db postgresql://…`): opens a connection,
/// brings the schema up to date (PostgresSchema) and serves reports on two connections.
public final class PostgresWarehouse: WarehouseEngine {
    public let engine = SQLEngine.postgresql
    /// The connection string as given (it may hold a password: never print it; use
    /// `target` in messages).
    private let conninfo: String
    let connection: PGConnection
    public var target: String { connection.target }
    public var location: String { "PostgreSQL at \(connection.target)" }

    /// Whether `--db` names a PostgreSQL database rather than an SQLite file.
    public static func isURI(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    public init(conninfo: String) throws {
        self.conninfo = conninfo
        connection = try PGConnection(conninfo)
        try migrate()
    }

    /// Runs the schema versions the database lacks. Two runs starting at once on a new
    /// database wait for each other on a transaction-scoped advisory lock.
    private func migrate() throws {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS footprint_schema (
                version    TEXT COLLATE "C" PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """)
        for (name, sql) in PostgresSchema.versions {
            try connection.execute("BEGIN")
            do {
                try connection.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
                let applied = try connection.value("SELECT 1 FROM footprint_schema WHERE version = :name", ["name": .text(name)])
                if applied == .null {
                    try connection.execute(sql)
                    try connection.execute("INSERT INTO footprint_schema (version) VALUES (:name)", ["name": .text(name)])
                }
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// The advisory lock key held while migrating ("footprint schema" as a number).
    static let migrationLock: Int64 = 0x666F_6F74_7363_6801

    /// The key of the visitor/actor hash: from config if given, else made once per
    /// database and kept in it (as Warehouse.hashKey).
    func hashKey(configured: String?) throws -> [UInt8] {
        if let configured, let bytes = [UInt8](hex: configured) { return bytes }
        return try inTransaction { pg in
            try pg.execute("LOCK TABLE meta IN SHARE ROW EXCLUSIVE MODE")
            if let stored = try pg.value("SELECT value FROM meta WHERE key = 'hash_key'").text, let bytes = [UInt8](hex: stored) {
                return bytes
            }
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try pg.execute("INSERT INTO meta (key, value) VALUES ('hash_key', :key)", ["key": .text(bytes.hexString)])
            return bytes
        }
    }

    /// Opens a load session for a batch of files (see Warehouse.withLoadSession).
    public func withLoadSession<T>(config: FootprintConfig, _ body: (PostgresLoadSession) throws -> T) throws -> T {
        guard let zone = ZoneClock(identifier: config.timezone) else {
            throw WarehouseError.unusable(path: target, reason: "unknown time zone \(config.timezone)")
        }
        let key = try hashKey(configured: config.hashKey)
        try checkZone(zone)
        return try body(PostgresLoadSession(pg: connection, config: config, zone: zone, hashKey: key))
    }

    /// Date keys are local days in the configured zone. Recomputing them for another
    /// zone is not done on PostgreSQL yet: a different zone stops the run.
    private func checkZone(_ zone: ZoneClock) throws {
        let stored = try connection.value("SELECT value FROM meta WHERE key = 'timezone'").text
        if stored == zone.identifier { return }
        if let stored {
            throw WarehouseError.unusable(path: target, reason: "the database was loaded in the time zone \(stored) and the config says \(zone.identifier); changing the zone of a PostgreSQL warehouse is not supported yet")
        }
        try connection.execute("INSERT INTO meta (key, value) VALUES ('timezone', :zone) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               ["zone": .text(zone.identifier)])
    }

    public func withFileLoader<T>(config: FootprintConfig, _ body: (FileLoader) throws -> T) throws -> T {
        try withLoadSession(config: config) { try body($0) }
    }

    public func refreshDerivedFacts(config: FootprintConfig) throws {
        let hasher = PersonHasher(key: try hashKey(configured: config.hashKey))
        try inTransaction { pg in
            try DerivedFacts.resolveSharedShortLinks(pg)
            // Definitions first: the sessionizer marks which goals each visit reached.
            try Definitions.refresh(pg, config: config, hasher: hasher)
            try PostgresSessionizer(timeoutSeconds: Int64(config.sessionTimeoutMinutes * 60)).rebuild(pg)
            try DerivedFacts.recomputeCascadesIfStale(pg)
        }
    }

    public func reading<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { try? connection.execute("ROLLBACK") }
        return try body(connection)
    }

    public func writing<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        try inTransaction { try body($0) }
    }

    public func explain(_ error: Error) -> String {
        if let error = error as? PGError { return error.description }
        return ErrorText.plain(error)
    }

    /// Runs `body` in a transaction on the main connection.
    public func inTransaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try connection.execute("BEGIN")
        do {
            let result = try body(connection)
            try connection.execute("COMMIT")
            return result
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// Reports' temporary tables go with the transaction, which is rolled back: nothing
    /// of the star schema changes.
    public func withReportConnection<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        defer { try? connection.execute("ROLLBACK") }
        return try body(connection)
    }

    public func withSecondReportConnection<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        let second = try PGConnection(conninfo)
        try second.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { try? second.execute("ROLLBACK") }
        return try body(second)
    }
}
