import Foundation

/// The warehouse on a PostgreSQL server (`--db postgresql://…`): opens a connection,
/// brings the schema up to date (PostgresSchema) and serves reports on two connections.
public final class PostgresWarehouse: ReportDatabase {
    public let engine = SQLEngine.postgresql
    /// The connection string as given (it may hold a password: never print it; use
    /// `target` in messages).
    private let conninfo: String
    let connection: PGConnection
    public var target: String { connection.target }

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
