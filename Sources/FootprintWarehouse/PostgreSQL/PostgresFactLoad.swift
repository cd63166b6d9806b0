/// The set-based half of a PostgreSQL file load: staged events (PostgresStage) become
/// dimension members and fact rows, in the file's transaction.
struct PostgresFactLoad {
    let pg: PGConnection
    let fileID: Int64
    /// The columns each fact table's dedupe index holds: `source_hash`, or on a Citus
    /// cluster, where a unique index must hold the distribution column, page views'
    /// `person_key, source_hash` (CitusDistribution).
    var dedupeKeys: [String: [String]] = [:]

    struct Counts { var loaded = 0, duplicate = 0 }

    /// The members a staging table names that a dimension lacks, in order of first
    /// appearance (so keys are given in the order the SQLite loader gives them). A
    /// member already there conflicts with the dimension's one natural key: an exclusion
    /// constraint for every text that comes from the exports (PostgresSchema.v2, v4),
    /// which only a target-less ON CONFLICT can name — so none names its target.
    private func addMembers(_ dimension: String, _ columns: String, from stage: String, natural: String,
                            values: String? = nil, where condition: String = "") throws {
        try pg.execute("""
            INSERT INTO \(dimension) (\(columns))
            SELECT \(values ?? natural) FROM \(stage) \(condition.isEmpty ? "" : "WHERE " + condition)
            GROUP BY \(natural) ORDER BY MIN(line)
            ON CONFLICT DO NOTHING
            """)
    }

    private func addPlaces(from stage: String) throws {
        try addMembers("dim_geography", "country_code, region, city, country_name", from: stage,
                       natural: "country_code, region, city", values: "country_code, region, city, MIN(country_name)")
    }

    private func addPersons(from stage: String) throws {
        // Keys come from the hash itself; written in key order.
        try pg.execute("""
            INSERT INTO dim_person (person_key, person_hash)
            SELECT person_key, MIN(person_hash) FROM \(stage) GROUP BY person_key ORDER BY person_key
            ON CONFLICT (person_key) DO NOTHING
            """)
    }

    private func addReferrers(from stage: String) throws {
        try addMembers("dim_referrer", "domain, category", from: stage, natural: "referrer_domain",
                       values: "referrer_domain, MIN(referrer_category)")
    }

    private func addContent(from stage: String) throws {
        try addMembers("dim_content", "url, host", from: stage, natural: "url", values: "url, MIN(host)",
                       where: "url IS NOT NULL")
    }

    func run(staged: [String: Int]) throws -> Counts {
        var counts = Counts()
        let large = staged.values.reduce(0, +) >= 10_000
        if staged["stage_page_view", default: 0] > 0 { counts = try pageViews(staged["stage_page_view"]!, large: large) }
        if staged["stage_click", default: 0] > 0 { counts = try clicks(staged["stage_click"]!, large: large) }
        if staged["stage_activity", default: 0] > 0 { counts = try activities(staged["stage_activity"]!, large: large) }
        if staged["stage_subscription", default: 0] > 0 { counts = try subscriptions(staged["stage_subscription"]!) }
        if staged["stage_outcome", default: 0] > 0 { counts = try outcomes(staged["stage_outcome"]!) }
        return counts
    }

    /// A large file is joined to its dimensions by hash once they are analysed: with no
    /// statistics on a dimension yet (a new database), the planner probed its index once
    /// per row (2 million page views: 4.8 s for three dimensions).
    private func analyse(_ dimensions: [String], large: Bool) throws {
        guard large else { return }
        for table in dimensions { try pg.execute("ANALYZE \(table)") }
    }

    private func pageViews(_ staged: Int, large: Bool) throws -> Counts {
        try addPersons(from: "stage_page_view")
        try addMembers("dim_property", "name", from: "stage_page_view", natural: "property", values: "property")
        try addContent(from: "stage_page_view")
        try addReferrers(from: "stage_page_view")
        try addPlaces(from: "stage_page_view")
        try analyse(["dim_property", "dim_content", "dim_referrer", "dim_geography"], large: large)
        let before = try pg.value("SELECT COALESCE(MAX(page_view_key), 0) FROM fact_page_view").int64 ?? 0
        func select(from stage: String, key: String = "") -> String { """
            SELECT \(key)s.source_hash, s.source_id, s.date_key, s.viewed_at, s.person_key, p.property_key, c.content_key,
                   r.referrer_key, g.geo_key, s.session_ref, s.engaged_seconds, \(fileID)
            FROM \(stage) AS s
            JOIN dim_property AS p ON p.name = s.property
            JOIN dim_content AS c ON c.url = s.url
            JOIN dim_referrer AS r ON r.domain = s.referrer_domain
            JOIN dim_geography AS g ON g.country_code = s.country_code AND g.region = s.region AND g.city = s.city
            """ }
        func columns(key: String = "") -> String { """
            INSERT INTO fact_page_view (\(key)source_hash, source_id, date_key, viewed_at, person_key, property_key, content_key,
                referrer_key, geo_key, session_ref, engaged_seconds, load_file_id)
            """ }
        let loaded: Int
        if try firstLoadOfPageViews() {
            // Into an empty table (a first load): appended without the dedupe index,
            // which is built afterwards in one sorted pass (2 million page views: the
            // insert 16.7 s row by row into the index with ON CONFLICT, 13.2 s this way,
            // index build 0.6 s); the index by person the same way. The file's repeats
            // (the first of each, by line, is kept) are the few hashes firstLoadOfPageViews
            // found more than once, and keys follow the staged rows' order (`line`, an
            // ordinal: PostgresStage): no sort of the
            // staged rows. Sorting them twice (DISTINCT ON by hash, then by line for the
            // keys' order) was 3.7 s of this statement's 10.5 s, spilling 545 MB to disk
            // (auto_explain, 2 million page views of scripts/bench data).
            try pg.execute("DROP INDEX fact_page_view_source; DROP INDEX fact_page_view_by_person")
            // Without repeats, no anti join: against an empty table the planner probes it
            // once per row (1.6 s of 2 million).
            let repeats = try pg.value("SELECT 1 FROM stage_page_view_repeat LIMIT 1") != .null
            loaded = try pg.changes(columns(key: "page_view_key, ") + select(from: "stage_page_view", key: "\(before) + s.line, ")
                + (repeats ? """

                    WHERE NOT EXISTS (SELECT 1 FROM stage_page_view_repeat AS x
                                      WHERE x.source_hash = s.source_hash AND x.first_line < s.line)
                    """ : ""))
            try pg.execute("""
                SELECT setval(pg_get_serial_sequence('fact_page_view', 'page_view_key'),
                              (SELECT MAX(page_view_key) FROM fact_page_view));
                CREATE UNIQUE INDEX fact_page_view_source ON fact_page_view (source_hash);
                CREATE INDEX fact_page_view_by_person ON fact_page_view (person_key);
                """)
            // Every visitor's sessions are due (all of them came with this file): one
            // mark, as the SQLite loader leaves it, rather than a row per visitor.
            try Meta.set(pg, Sessionizer.firstLoadMark, "everyone")
        } else {
            loaded = try insertProbing(table: "fact_page_view", stage: "stage_page_view",
                                       insert: columns() + select(from: "stage_page_view"))
            try pg.execute("""
                INSERT INTO pending_sessions (person_key)
                SELECT DISTINCT person_key FROM fact_page_view WHERE page_view_key > \(before)
                ON CONFLICT (person_key) DO NOTHING
                """)
            try pg.execute("""
                INSERT INTO pending_days (date_key)
                SELECT DISTINCT date_key FROM fact_page_view WHERE page_view_key > \(before)
                ON CONFLICT (date_key) DO NOTHING
                """)
        }
        // The referral summary of the new rows.
        try pg.execute("""
            INSERT INTO agg_page_view_referral AS a (date_key, content_key, referrer_key, first_viewed_at, views)
            SELECT date_key, content_key, referrer_key, MIN(viewed_at), COUNT(*) FROM fact_page_view
            WHERE page_view_key > \(before) GROUP BY date_key, content_key, referrer_key
            ON CONFLICT (date_key, content_key, referrer_key) DO UPDATE
            SET first_viewed_at = LEAST(a.first_viewed_at, excluded.first_viewed_at), views = a.views + excluded.views
            """)
        return Counts(loaded: loaded, duplicate: staged - loaded)
    }

    /// Whether page views go into an empty table, on one server (a Citus cluster keeps its
    /// indexes), and no two identities of the file share a hash (then the rows probe).
    /// If so, the hashes the file holds more than once, with the first line of each, are
    /// left in `stage_page_view_repeat` (one pass over the staged hashes finds both),
    /// a temporary table the file's commit drops.
    private func firstLoadOfPageViews() throws -> Bool {
        guard dedupeKeys["fact_page_view"] == nil, try pg.value("SELECT 1 FROM fact_page_view LIMIT 1") == .null else { return false }
        try pg.execute("""
            CREATE TEMP TABLE stage_page_view_repeat ON COMMIT DROP AS
            SELECT source_hash, MIN(line) AS first_line, MIN(source_id) <> MAX(source_id) AS collides
            FROM stage_page_view GROUP BY source_hash HAVING COUNT(*) > 1;
            ANALYZE stage_page_view_repeat
            """)
        return try pg.value("SELECT 1 FROM stage_page_view_repeat WHERE collides LIMIT 1") == .null
    }

    private func clicks(_ staged: Int, large: Bool) throws -> Counts {
        try addContent(from: "stage_click")
        // Target-less, as in addMembers: short URLs are unique by an exclusion constraint.
        try pg.execute("""
            INSERT INTO dim_short_link (short_url, target_content_key)
            SELECT x.short_url, x.content_key FROM (
                SELECT DISTINCT ON (s.short_url) s.short_url, c.content_key, s.line
                FROM stage_click AS s JOIN dim_content AS c ON c.url = s.url
                ORDER BY s.short_url, s.line) AS x
            ORDER BY x.line
            ON CONFLICT DO NOTHING
            """)
        try addReferrers(from: "stage_click")
        try addMembers("dim_channel", "name", from: "stage_click", natural: "channel", values: "channel")
        try addPlaces(from: "stage_click")
        try analyse(["dim_short_link", "dim_content", "dim_referrer", "dim_channel", "dim_geography"], large: large)
        let loaded = try insertProbing(table: "fact_click", stage: "stage_click", insert: """
            INSERT INTO fact_click (source_hash, source_id, date_key, clicked_at, short_link_key, content_key, referrer_key,
                channel_key, geo_key, load_file_id)
            SELECT s.source_hash, s.source_id, s.date_key, s.clicked_at, k.short_link_key, c.content_key, r.referrer_key,
                   ch.channel_key, g.geo_key, \(fileID)
            FROM stage_click AS s
            JOIN dim_short_link AS k ON k.short_url = s.short_url
            JOIN dim_content AS c ON c.url = s.url
            JOIN dim_referrer AS r ON r.domain = s.referrer_domain
            JOIN dim_channel AS ch ON ch.name = s.channel
            JOIN dim_geography AS g ON g.country_code = s.country_code AND g.region = s.region AND g.city = s.city
            """)
        return Counts(loaded: loaded, duplicate: staged - loaded)
    }

    private func activities(_ staged: Int, large: Bool) throws -> Counts {
        try addPersons(from: "stage_activity")
        // The first handle seen for an actor is kept (as INSERT OR IGNORE in row order).
        try pg.execute("""
            INSERT INTO dim_actor_handle (person_key, handle)
            SELECT DISTINCT ON (person_key) person_key, handle FROM stage_activity WHERE handle IS NOT NULL
            ORDER BY person_key, line
            ON CONFLICT (person_key) DO NOTHING
            """)
        try addMembers("dim_group", "platform, name", from: "stage_activity", natural: "platform, group_name",
                       values: "platform, group_name")
        try addContent(from: "stage_activity")
        try addPlaces(from: "stage_activity")
        try analyse(["dim_group", "dim_content", "dim_geography"], large: large)
        let loaded = try insertProbing(table: "fact_group_activity", stage: "stage_activity", insert: """
            INSERT INTO fact_group_activity (source_hash, source_id, date_key, occurred_at, group_key, person_key, action,
                parent_source_id, content_key, activity_count, geo_key, title, body, load_file_id, parent_source_hash)
            SELECT s.source_hash, s.source_id, s.date_key, s.occurred_at, gr.group_key, s.person_key, s.action,
                   s.parent_source_id, c.content_key, s.activity_count, g.geo_key, s.title, s.body, \(fileID), s.parent_source_hash
            FROM stage_activity AS s
            JOIN dim_group AS gr ON gr.platform = s.platform AND gr.name = s.group_name
            LEFT JOIN dim_content AS c ON c.url = s.url
            JOIN dim_geography AS g ON g.country_code = s.country_code AND g.region = s.region AND g.city = s.city
            """)
        if loaded > 0 {
            // New rows only: their threads are enough (unless a removal asked for all).
            try Meta.add(pg, "cascades_stale", "new")
        }
        return Counts(loaded: loaded, duplicate: staged - loaded)
    }

    private func subscriptions(_ staged: Int) throws -> Counts {
        try addPersons(from: "stage_subscription")
        var loaded = try insertProbing(table: "fact_subscription", stage: "stage_subscription", insert: """
            INSERT INTO fact_subscription (source_hash, source_id, person_key, list, subscribed_at, date_key, unsubscribed_at,
                unsubscribed_date_key, load_file_id)
            SELECT s.source_hash, s.source_id, s.person_key, s.list, s.subscribed_at, s.date_key, s.unsubscribed_at,
                   s.unsubscribed_date_key, \(fileID)
            FROM stage_subscription AS s
            """)
        // A subscription seen again with the time it ended fills that in, once (the
        // first such row of the file); that row counts as loaded.
        // Rows changed in place: cached report periods from the earliest one's day on
        // are stale (new rows are found by their keys).
        // (The staged rows as a materialised CTE: Citus joins a local table into an
        // UPDATE of a distributed or reference table only that way.)
        let filled = try pg.rows("""
            WITH x AS MATERIALIZED (
                SELECT DISTINCT ON (source_hash) source_hash, source_id, unsubscribed_at, unsubscribed_date_key
                FROM stage_subscription WHERE unsubscribed_at IS NOT NULL ORDER BY source_hash, line)
            UPDATE fact_subscription AS f SET unsubscribed_at = x.unsubscribed_at, unsubscribed_date_key = x.unsubscribed_date_key
            FROM x
            WHERE f.source_hash = x.source_hash AND f.source_id = x.source_id AND f.unsubscribed_at IS NULL
            RETURNING f.subscription_key, f.date_key, f.list, f.person_key
            """)
        // Counted by key: Citus returns a reference table's row once per copy.
        loaded += Set(filled.compactMap { $0[0].int64 }).count
        if let earliest = filled.compactMap({ $0[1].int64 }).min() { try markReportsStale(pg, from: Int(earliest)) }
        // Who holds a subscription added or ended: their subscriber summary is recounted
        // after the load (Summaries.refreshSubscribers). The new rows are found through
        // the staged hashes, by index.
        try pg.execute("""
            WITH staged AS MATERIALIZED (SELECT DISTINCT source_hash FROM stage_subscription)
            INSERT INTO pending_subscribers (list, person_key)
            SELECT DISTINCT list, person_key FROM fact_subscription
            WHERE source_hash = ANY (ARRAY (SELECT source_hash FROM staged)) AND load_file_id = \(fileID)
            ON CONFLICT (list, person_key) DO NOTHING
            """)
        for row in filled {
            try pg.execute("INSERT INTO pending_subscribers (list, person_key) VALUES (:list, :person) ON CONFLICT (list, person_key) DO NOTHING",
                           ["list": row[2], "person": row[3]])
        }
        return Counts(loaded: loaded, duplicate: staged - loaded)
    }

    private func outcomes(_ staged: Int) throws -> Counts {
        let loaded = try insertProbing(table: "fact_outcome", stage: "stage_outcome", insert: """
            INSERT INTO fact_outcome (source_hash, source_id, date_key, metric, value, load_file_id)
            SELECT s.source_hash, s.source_id, s.date_key, s.metric, s.value, \(fileID)
            FROM stage_outcome AS s
            """)
        return Counts(loaded: loaded, duplicate: staged - loaded)
    }

    /// Inserts the staged rows in line order, an identity already loaded (its hash's row
    /// holds the same source id) skipped; returns the rows inserted. A hash held by
    /// another identity (a 63-bit collision) moves the row to the next hash value and
    /// tries again, as the SQLite loader probes, so dedupe stays exact.
    private func insertProbing(table: String, stage: String, insert: String) throws -> Int {
        let key = dedupeKeys[table] ?? ["source_hash"]
        // Inserted again whole after a move: rows already in (or duplicates) meet
        // themselves (or their first copy) and are skipped; only moved rows go in.
        // Counted from RETURNING: Citus reports the rows selected, not those inserted, as
        // the command's row count of an INSERT … SELECT … ON CONFLICT into a reference table.
        let inLineOrder = """
            WITH inserted AS (
            \(insert)
            ORDER BY s.line
            ON CONFLICT (\(key.joined(separator: ", "))) DO NOTHING
            RETURNING 1)
            SELECT COUNT(*) FROM inserted
            """
        func insertCounting() throws -> Int { Int(try pg.value(inLineOrder).int64 ?? 0) }
        var loaded = try insertCounting()
        while try pg.changes(Self.movingCollisions(table: table, stage: stage, key: key)) > 0 {
            loaded += try insertCounting()
        }
        return loaded
    }

    /// Moves the staged rows whose hash an existing fact of another identity holds (a
    /// 63-bit collision) to the next hash: counted by `changes`, none when no row moved.
    static func movingCollisions(table: String, stage: String, key: [String]) -> String {
        let sameKey = key.map { "f.\($0) = s.\($0)" }.joined(separator: " AND ")
        // The staged side as a CTE of its own: on Citus, a temporary table joined with a
        // reference table would be sent to a worker, which does not have it.
        let columns = Set(key + ["line", "source_id"]).sorted().joined(separator: ", ")
        // On one server the facts with the file's hashes are looked up by index: joined
        // with the staged rows, the planner scanned every fact instead (a night's 20,000
        // page views against 2 million: 0.65 s, by index 0.09 s; see
        // PostgresSessionizer.touched).
        let facts = key == ["source_hash"]
            ? "(SELECT source_hash, source_id FROM \(table) WHERE source_hash = ANY (ARRAY (SELECT source_hash FROM staged)))"
            : table
        return """
            WITH staged AS MATERIALIZED (SELECT \(columns) FROM \(stage)),
                 taken AS MATERIALIZED (
                SELECT s.line FROM staged AS s JOIN \(facts) AS f ON \(sameKey) WHERE f.source_id <> s.source_id)
            UPDATE \(stage) SET source_hash = CASE WHEN source_hash = 9223372036854775807 THEN 1 ELSE source_hash + 1 END
            WHERE line IN (SELECT line FROM taken)
            """
    }
}
