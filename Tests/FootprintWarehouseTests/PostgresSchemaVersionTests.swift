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
        // Every version's statements begin with a command, once their leading comments are
        // set aside: a cut inside a comment, a string or a DO block would leave a fragment.
        let commands: Set<String> = ["CREATE", "ALTER", "DROP", "DO", "INSERT", "UPDATE", "DELETE"]
        for (name, sql) in PostgresSchema.versions {
            for statement in SQLScript.statements(sql) {
                let code = statement.split(separator: "\n").drop { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
                let word = code.first.map { String($0.trimmingCharacters(in: .whitespaces).prefix { $0.isLetter }) } ?? ""
                #expect(commands.contains(word), "\(name): \(statement.prefix(80))")
            }
        }
        #expect(SQLScript.statements(PostgresSchema.v6).count == 8)
    }

    /// A database distributed at schema v2 (its v3, v5, v6, v7 and v8 objects dropped and
    /// unrecorded, as a server distributed before those versions had them) takes them
    /// when footprint opens it again, and v9 drops again the index v5 makes; the new cache tables, the sessionizer's pending
    /// days and the subscriber summary are reference tables.
    @Test(.enabled(if: TestPostgresServer.citus != nil, Comment(rawValue: TestPostgresServer.citusSkipped)))
    func aDistributedDatabaseTakesLaterVersions() throws {
        try TestPostgresServer.withCitusSchema { conninfo in try takeLaterVersions(conninfo) }
    }

    private func takeLaterVersions(_ conninfo: String) throws {
        let first = try PostgresWarehouse(conninfo: conninfo)
        _ = try first.distribute()
        try first.inTransaction { pg in
            // One statement at a time, for the reason under test.
            for statement in SQLScript.statements("""
                DROP INDEX fact_page_view_by_person;
                DROP INDEX fact_session_by_person;
                DROP INDEX fact_group_activity_parent_unresolved;
                DROP TABLE report_cache_propagation, report_cache_propagation_referral, report_cache_propagation_thread,
                    report_cache_propagation_share, report_cache_propagation_state;
                DROP INDEX fact_group_activity_by_day;
                DROP INDEX fact_group_activity_by_file;
                DROP TABLE pending_days;
                DROP TABLE agg_subscriber_span, agg_subscriber_day, pending_subscribers;
                DELETE FROM footprint_schema WHERE version LIKE 'v3 %' OR version LIKE 'v5 %' OR version LIKE 'v6 %' OR version LIKE 'v7 %'
                    OR version LIKE 'v8 %' OR version LIKE 'v9 %'
                """) { try pg.execute(statement) }
        }
        _ = try PostgresWarehouse(conninfo: conninfo)
        let pg = try PGConnection(conninfo)
        let versions = try pg.rows("SELECT version FROM footprint_schema ORDER BY version").compactMap { $0[0].text }
        #expect(versions == PostgresSchema.versions.map(\.name).sorted())
        let methods = try pg.rows("""
            SELECT c.relname, p.partmethod::text FROM pg_dist_partition AS p
            JOIN pg_class AS c ON c.oid = p.logicalrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND (c.relname LIKE 'report_cache_propagation%'
                  OR c.relname IN ('pending_days', 'agg_subscriber_span', 'agg_subscriber_day', 'pending_subscribers'))
            ORDER BY 1
            """).map { [$0[0].text ?? "", $0[1].text ?? ""] }
        #expect(methods == [["agg_subscriber_day", "n"], ["agg_subscriber_span", "n"], ["pending_days", "n"], ["pending_subscribers", "n"]]
            + ["", "_referral", "_share", "_state", "_thread"].map { ["report_cache_propagation" + $0, "n"] })
        let indexes = try pg.rows("""
            SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
              AND indexname IN ('fact_page_view_by_person', 'fact_group_activity_by_day', 'fact_group_activity_parent_unresolved',
                                'fact_group_activity_parent_author_unresolved')
            ORDER BY 1
            """).compactMap { $0[0].text }
        #expect(indexes == ["fact_group_activity_by_day", "fact_group_activity_parent_unresolved", "fact_page_view_by_person"])
    }
}
