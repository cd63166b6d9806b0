import Foundation
import FootprintConfig
import FootprintInput
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
        try PostgresWarehouse.nameSession(connection)
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
                    // Statement by statement: see SQLScript (Citus).
                    for statement in SQLScript.statements(sql) { try connection.execute(statement) }
                    try connection.execute("INSERT INTO footprint_schema (version) VALUES (:name)", ["name": .text(name)])
                }
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// One run at a time per database: a session-level advisory lock on the main
    /// connection, released when the returned token goes (or the connection ends,
    /// however the process ends: no stale lock). Waits up to `waitSeconds`; then names
    /// the holder from pg_stat_activity (each run sets its application_name).
    public func lockRun(waitSeconds: Int) throws -> AnyObject {
        let deadline = Date().addingTimeInterval(Double(waitSeconds))
        while try connection.value("SELECT pg_try_advisory_lock(\(Self.runLock.0), \(Self.runLock.1))") != .integer(1) {
            if Date() >= deadline {
                let holder = try connection.value("""
                    SELECT a.application_name || COALESCE(' from ' || host(a.client_addr), '')
                    FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
                    WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND l.classid = \(Self.runLock.0) AND l.objid = \(Self.runLock.1) AND l.objsubid = 2
                    LIMIT 1
                    """).text
                throw RunLockBusy(location: location, holder: holder ?? "another session", waited: waitSeconds)
            }
            usleep(200_000)
        }
        return RunLockToken(connection: connection)
    }

    /// The run lock's two keys ("foot", 1).
    static let runLock: (Int32, Int32) = (0x666F_6F74, 1)

    private final class RunLockToken {
        let connection: PGConnection
        init(connection: PGConnection) { self.connection = connection }
        deinit { _ = try? connection.value("SELECT pg_advisory_unlock(\(PostgresWarehouse.runLock.0), \(PostgresWarehouse.runLock.1))") }
    }

    /// The advisory lock key held while migrating ("footprint schema" as a number).
    static let migrationLock: Int64 = 0x666F_6F74_7363_6801

    /// The key of the visitor/actor hash: from config if given, else made once per
    /// database and kept in it (as Warehouse.hashKey).
    public func hashKey(configured: String?) throws -> [UInt8] {
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

    /// Date keys are local days in the configured zone; when the zone changes, every
    /// fact's date key is recomputed from its UTC instant (by the server, from the same
    /// IANA zone data), and the summaries with them, in one transaction.
    private func checkZone(_ zone: ZoneClock) throws {
        let stored = try connection.value("SELECT value FROM meta WHERE key = 'timezone'").text
        if stored == zone.identifier { return }
        try inTransaction { pg in
            if stored != nil { try rezone(pg, to: zone) }
            try Meta.set(pg, "timezone", zone.identifier)
        }
    }

    /// Every offset in use is a multiple of 15 minutes, so a UTC quarter hour lies on one
    /// local day: the days of the quarter hours the facts span are worked out here by
    /// the loader's own zone rules (ZoneClock), and the date keys set from them. (An
    /// UPDATE calling the server's time zone functions per row is refused by Citus.)
    private func rezone(_ pg: PGConnection, to zone: ZoneClock) throws {
        let instants = ZonedInstants.all.map { table, _, instant, column in (table, instant, column) }
        let bounds = try pg.rows(instants.map { table, instant, _ in "SELECT MIN(\(instant)), MAX(\(instant)) FROM \(table)" }
            .joined(separator: " UNION ALL "))
        let first = bounds.compactMap { $0[0].int64 }.min(), last = bounds.compactMap { $0[1].int64 }.max()
        try pg.execute("TRUNCATE zone_buckets")
        guard let first, let last else { return }
        try pg.copy(into: "zone_buckets", columns: ["bucket_at", "date_key"]) { send in
            for start in stride(from: QuarterHour.start(first), through: last, by: Int(QuarterHour.seconds)) {
                try send([.integer(start), SQLValue(zone.localDate(ofUTC: start).key)])
            }
        }
        let local = { (instant: String) in "zone_buckets.bucket_at = \(QuarterHour.startSQL(instant))" }
        // The new days first (facts refer to dim_date), labelled as the loader labels them.
        let days = try pg.rows(instants.map { table, instant, _ in
            "SELECT DISTINCT zone_buckets.date_key FROM \(table) JOIN zone_buckets ON \(local(table + "." + instant))"
        }.joined(separator: " UNION "))
        let rows = days.compactMap { $0[0].int64.flatMap { CivilDate(key: Int($0)) } }.map(PostgresStage.dateRow)
        try PostgresStage.create(on: pg)
        try pg.execute("TRUNCATE stage_date")
        try pg.insert(into: "stage_date", columns: PostgresStage.columns(of: "stage_date"), rows: rows)
        try pg.execute("INSERT INTO dim_date SELECT * FROM stage_date ON CONFLICT (date_key) DO NOTHING")
        for (table, instant, column) in instants {
            try pg.execute("UPDATE \(table) SET \(column) = zone_buckets.date_key FROM zone_buckets WHERE \(local(table + "." + instant))")
        }
        try Summaries.rebuild(pg)
    }

    public func withFileLoader<T>(config: FootprintConfig, _ body: (FileLoader) throws -> T) throws -> T {
        try withLoadSession(config: config) { try body($0) }
    }

    public func refreshDerivedFacts(config: FootprintConfig) throws {
        let hasher = PersonHasher(key: try hashKey(configured: config.hashKey))
        try inTransaction { pg in
            try pg.execute("SET LOCAL work_mem = '64MB'")
            try DerivedFacts.resolveSharedShortLinks(pg)
            Trace.mark("short links resolved")
            // Definitions first: the sessionizer marks which goals each visit reached.
            try Definitions.refresh(pg, config: config, hasher: hasher)
            Trace.mark("definitions refreshed")
            try PostgresSessionizer(timeoutSeconds: Int64(config.sessionTimeoutMinutes * 60)).rebuild(pg)
            Trace.mark("sessions cut")
            try DerivedFacts.recomputeCascadesIfStale(pg)
            Trace.mark("thread cascades")
            try Summaries.refreshSubscribers(pg)
            Trace.mark("subscribers counted")
            try analyseFirstFilled(pg)
        }
    }

    /// Analyses the tables that have no column statistics or were empty when last analysed: after
    /// a first load, autovacuum gets to them only a while later, and until then the
    /// planner guesses (the first report of 2 million varied page views took 18.9 s,
    /// groups.csv alone 13.6 s in nested loops; analysed, 6.2 s and 1.2 s). A night's
    /// rows into filled tables are left to autovacuum. Empty tables analyse in no time.
    /// Not on Citus: the coordinator's tables stay empty (the rows are in the workers'
    /// shards, which the workers' autovacuum analyses), so this would analyse every
    /// distributed table on every run.
    private func analyseFirstFilled(_ pg: PGConnection) throws {
        if try CitusDistribution.isDistributed(pg) { return }
        let tables = try pg.rows("""
            SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
              -- Row counts alone would not do: building an index sets them (a first load
              -- rebuilds the page views' dedupe index) without column statistics.
              AND (c.reltuples <= 0 OR NOT EXISTS (SELECT 1 FROM pg_statistic AS s WHERE s.starelid = c.oid))
              AND c.relname NOT LIKE 'stage\\_%' ORDER BY c.relname
            """).compactMap { $0[0].text }
        for table in tables { try pg.execute("ANALYZE \"\(table)\"") }
    }

    /// VACUUM afterwards marks the deleted rows' space free at once (their bytes stay in
    /// the table files until overwritten: PostgreSQL has no secure_delete; see the README).
    public func erasing(_ body: (SQLConnection) throws -> Void) throws {
        try inTransaction { try body($0) }
        try connection.execute("VACUUM")
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

    /// Names the session in pg_stat_activity, so that a run waiting for the run lock can
    /// say who holds it.
    static func nameSession(_ pg: PGConnection) throws {
        let started = ISO8601DateFormatter().string(from: Date())
        let name = "footprint pid \(getpid()) started \(started)"
        try pg.execute("SELECT set_config('application_name', :name, false)", ["name": .text(name)])
    }

    public func withSecondReportConnection<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        let second = try PGConnection(conninfo)
        try second.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { try? second.execute("ROLLBACK") }
        return try body(second)
    }
}

/// Another run holds the database's run lock.
public struct RunLockBusy: Error, CustomStringConvertible {
    public let location: String
    public let holder: String
    public let waited: Int
    public var description: String {
        "another footprint run (\(holder)) holds the run lock of \(location)\(waited > 0 ? " and did not finish within \(waited) s" : ""); try again later or pass --wait SECONDS"
    }
}
