/// `footprint db distribute`: spreads the star schema over a Citus cluster (PostgreSQL
/// with the citus extension, a coordinator and workers).
///
/// - Page views and everything derived from them per visitor — sessions, visits,
///   visitor days, topic visitors, the sessionizer's work list — are distributed by
///   `person_key` and co-located: cutting sessions and counting distinct visitors read
///   one visitor's rows on one worker, and the scans run on every worker at once.
/// - Clicks are distributed by their dedupe hash (they carry no person): the reports
///   only aggregate them, which every worker does for its shards.
/// - Dimensions and the rest (group activity and its mentions, subscriptions, outcomes,
///   summaries, bookkeeping) are reference tables, copied to every node: any join with
///   them is local to a worker. Group threads stay whole there, so the recursive thread
///   walk (a recursive CTE, which Citus runs only on reference or local tables) works.
///
/// A unique index of a distributed table must hold its distribution column: page views
/// are then unique by (person_key, source_hash) — an event id seen again with another
/// visitor is a new row on Citus where it is a duplicate on one server — and the
/// primary keys become (distribution column, key).
public enum CitusDistribution {
    /// Set in `meta` once the schema is distributed; the loader then dedupes by `dedupeKeys`.
    static let marker = "distributed"

    /// Whether `footprint db distribute` spread this database over a cluster.
    static func isDistributed(_ pg: PGConnection) throws -> Bool { try Meta.get(pg, marker) != nil }
    static let dedupeKeys = ["fact_page_view": ["person_key", "source_hash"]]

    static let byPerson = ["fact_page_view", "fact_session", "fact_visit", "agg_visitor_day", "agg_topic_visitor_day", "pending_sessions"]
    static let byHash = ["fact_click"]

    /// Primary keys and unique indexes rebuilt to hold the distribution column.
    static let keyChanges = [
        "ALTER TABLE fact_page_view DROP CONSTRAINT fact_page_view_pkey, ADD PRIMARY KEY (person_key, page_view_key)",
        "DROP INDEX fact_page_view_source",
        "CREATE UNIQUE INDEX fact_page_view_source ON fact_page_view (person_key, source_hash)",
        "ALTER TABLE fact_session DROP CONSTRAINT fact_session_pkey, ADD PRIMARY KEY (person_key, session_key)",
        "ALTER TABLE fact_visit DROP CONSTRAINT fact_visit_pkey, ADD PRIMARY KEY (person_key, visit_key)",
        "ALTER TABLE fact_click DROP CONSTRAINT fact_click_pkey, ADD PRIMARY KEY (source_hash, click_key)",
    ]

    public struct Summary: Codable, Sendable {
        public var distributed: [String] = []
        public var reference: [String] = []
        public var alreadyDone = false
    }

    static func distribute(_ pg: PGConnection, location: String) throws -> Summary {
        guard try pg.value("SELECT 1 FROM pg_extension WHERE extname = 'citus'") != .null else {
            throw WarehouseError.unusable(path: location, reason: "the citus extension is not installed in this database; as a superuser run CREATE EXTENSION citus on the coordinator and add the workers (SELECT citus_add_node('host', port)), then run footprint db distribute again")
        }
        var summary = Summary()
        if try isDistributed(pg) { summary.alreadyDone = true; return summary }
        try PostgresStage.create(on: pg)
        let staging = Set(PostgresStage.tables.map(\.name))
        let tables = try pg.rows("""
            SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.relname
            """).compactMap { $0[0].text }
        for change in keyChanges { try pg.execute(change) }
        // Reference tables first: distributed tables may refer to them.
        // The loader's staging tables stay on the coordinator, joinable with reference tables.
        for table in staging.sorted() {
            try pg.execute("SELECT citus_add_local_table_to_metadata(:table)", ["table": .text(table)])
        }
        for table in tables where !byPerson.contains(table) && !byHash.contains(table) && !staging.contains(table) {
            try pg.execute("SELECT create_reference_table(:table)", ["table": .text(table)])
            summary.reference.append(table)
        }
        var colocateWith = "default"
        for table in byPerson {
            try pg.execute("SELECT create_distributed_table(:table, 'person_key', colocate_with => :with)",
                           ["table": .text(table), "with": .text(colocateWith)])
            colocateWith = byPerson[0]
            summary.distributed.append(table + " by person_key")
        }
        for table in byHash {
            try pg.execute("SELECT create_distributed_table(:table, 'source_hash', colocate_with => 'none')", ["table": .text(table)])
            summary.distributed.append(table + " by source_hash")
        }
        try Meta.set(pg, marker, "citus")
        return summary
    }
}

extension PostgresWarehouse {
    /// Distributes the schema over the Citus cluster this database is the coordinator of.
    /// In one transaction: a failure leaves the schema as it was.
    public func distribute() throws -> CitusDistribution.Summary {
        try inTransaction { try CitusDistribution.distribute($0, location: location) }
    }
}
