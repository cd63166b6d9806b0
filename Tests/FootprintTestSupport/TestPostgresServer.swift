import Foundation

/// The PostgreSQL server the tests use: FOOTPRINT_TEST_PG (a URI; scripts/test starts a
/// throw-away server and sets it), and FOOTPRINT_TEST_CITUS (a Citus coordinator, set by
/// hand). Each test gets a database of its own, made and dropped with psql, so tests
/// running at once never meet.
public enum TestPostgresServer {
    public static let uri = variable("FOOTPRINT_TEST_PG")
    public static let citus = variable("FOOTPRINT_TEST_CITUS")

    /// Why the PostgreSQL tests did not run (the skip message every such suite shows).
    public static let skipped = "FOOTPRINT_TEST_PG is not set: the PostgreSQL tests were skipped (scripts/test starts a server)"

    private static func variable(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs `body` with the URI of a new, empty database on the test server, dropped after.
    public static func withDatabase<T>(_ body: (String) throws -> T) throws -> T {
        guard let uri, var parts = URLComponents(string: uri) else { throw CocoaError(.featureUnsupported) }
        let name = "footprint_t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try psql(uri, "CREATE DATABASE \(name)")
        defer { try? psql(uri, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        parts.path = "/" + name
        return try body(parts.string!)
    }

    /// Why the Citus tests did not run.
    public static let citusSkipped = "FOOTPRINT_TEST_CITUS is not set: the Citus tests were skipped (see the README, Engines)"

    /// Runs `body` with the URI of a schema of its own on the Citus cluster (set as its
    /// connections' search path; `options`: more `-cname=value` settings), dropped after.
    /// One Citus test at a time: they share the cluster's database, and Citus takes its
    /// metadata locks database-wide — one test's TRUNCATE of its staging tables and
    /// another's DROP of a report table deadlocked ("deadlock detected", now and then).
    public static func withCitusSchema<T>(options: String = "", _ body: (String) throws -> T) throws -> T {
        citusLock.lock()
        defer { citusLock.unlock() }
        guard let citus, var parts = URLComponents(string: citus) else { throw CocoaError(.featureUnsupported) }
        let schema = "footprint_t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try psql(citus, "CREATE SCHEMA \(schema)")
        defer { try? psql(citus, "DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        parts.queryItems = (parts.queryItems ?? []) + [URLQueryItem(name: "options", value: "-csearch_path=\(schema) \(options)")]
        return try body(parts.string!)
    }

    private static let citusLock = NSLock()

    /// Runs one statement with psql; throws when psql fails.
    public static func psql(_ uri: String, _ sql: String) throws {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [uri, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
        psql.standardOutput = FileHandle.nullDevice
        try psql.run()
        psql.waitUntilExit()
        guard psql.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    }
}
