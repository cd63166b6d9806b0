import Foundation
import Testing
import FootprintTestSupport
@testable import FootprintWarehouse

/// PostgreSQL schema versions run statement by statement (SQLScript): on a Citus
/// cluster, DDL on a distributed or reference table inside a text of several statements
/// fails on the workers, so a database distributed at an older version could not take a
/// newer one.
@Suite struct PostgresSchemaVersionTests {
    @Test func statementsAreSplitOutsideQuotesCommentsAndDollarQuotes() {
        let sql = """
            CREATE TABLE a (x TEXT DEFAULT 'semi;colon'); -- the loader's; comment
            /* a; block */ CREATE INDEX "odd;name" ON a (x);
            DO $$ BEGIN
                IF true THEN EXECUTE 'SELECT 1; SELECT 2'; END IF;
            END $$;
            DO $body$ BEGIN PERFORM 1; END $body$;
            SELECT $1::text;
            ;
            """
        #expect(SQLScript.statements(sql) == [
            "CREATE TABLE a (x TEXT DEFAULT 'semi;colon')",
            "-- the loader's; comment\n/* a; block */ CREATE INDEX \"odd;name\" ON a (x)",
            "DO $$ BEGIN\n    IF true THEN EXECUTE 'SELECT 1; SELECT 2'; END IF;\nEND $$",
            "DO $body$ BEGIN PERFORM 1; END $body$",
            "SELECT $1::text",
        ])
        // Every version splits into statements that each end where the text said.
        for (name, sql) in PostgresSchema.versions {
            let statements = SQLScript.statements(sql)
            #expect(!statements.isEmpty && statements.allSatisfy { !$0.hasSuffix(";") }, "\(name)")
        }
        #expect(SQLScript.statements(PostgresSchema.v6).count == 8)
    }

    /// A database distributed at schema v2 (its v3, v5 and v6 objects dropped and
    /// unrecorded, as a server distributed before those versions had them) takes them
    /// when footprint opens it again; the new cache tables are reference tables.
    @Test(.enabled(if: TestPostgresServer.citus != nil, "FOOTPRINT_TEST_CITUS is not set: the Citus tests were skipped"))
    func aDistributedDatabaseTakesLaterVersions() throws {
        try TestPostgresServer.oneCitusTestAtATime { try takeLaterVersions() }
    }

    private func takeLaterVersions() throws {
        guard let citus = TestPostgresServer.citus, var parts = URLComponents(string: citus) else { return }
        let schema = "footprint_t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = try PGConnection(citus)
        try admin.execute("CREATE SCHEMA \(schema)")
        defer { try? admin.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        parts.queryItems = (parts.queryItems ?? []) + [URLQueryItem(name: "options", value: "-csearch_path=\(schema)")]
        let first = try PostgresWarehouse(conninfo: parts.string!)
        _ = try first.distribute()
        try first.inTransaction { pg in
            // One statement at a time, for the reason under test.
            for statement in SQLScript.statements("""
                DROP INDEX fact_page_view_by_person;
                DROP INDEX fact_session_by_person;
                DROP INDEX fact_group_activity_parent_unresolved;
                DROP INDEX fact_group_activity_parent_author_unresolved;
                DROP TABLE report_cache_propagation, report_cache_propagation_referral, report_cache_propagation_thread,
                    report_cache_propagation_share, report_cache_propagation_state;
                DROP INDEX fact_group_activity_by_day;
                DROP INDEX fact_group_activity_by_file;
                DELETE FROM footprint_schema WHERE version LIKE 'v3 %' OR version LIKE 'v5 %' OR version LIKE 'v6 %'
                """) { try pg.execute(statement) }
        }
        _ = try PostgresWarehouse(conninfo: parts.string!)
        let versions = try admin.rows("SELECT version FROM \(schema).footprint_schema ORDER BY version").compactMap { $0[0].text }
        #expect(versions == PostgresSchema.versions.map(\.name).sorted())
        let methods = try admin.rows("""
            SELECT logicalrelid::text, partmethod::text FROM pg_dist_partition
            WHERE logicalrelid::text LIKE '\(schema).report_cache_propagation%' ORDER BY 1
            """).map { [$0[0].text ?? "", $0[1].text ?? ""] }
        #expect(methods == ["_propagation", "_propagation_referral", "_propagation_share", "_propagation_state", "_propagation_thread"].map { ["\(schema).report_cache" + $0, "n"] })
        let indexes = try admin.rows("""
            SELECT indexname FROM pg_indexes WHERE schemaname = '\(schema)'
              AND indexname IN ('fact_page_view_by_person', 'fact_group_activity_by_day', 'fact_group_activity_parent_unresolved')
            ORDER BY 1
            """).compactMap { $0[0].text }
        #expect(indexes == ["fact_group_activity_by_day", "fact_group_activity_parent_unresolved", "fact_page_view_by_person"])
    }
}
