import GRDB

/// The star schema, created and upgraded by named, append-only migrations of plain SQL.
/// Never edit a migration that has shipped: add a new one.
///
/// Conventions: `dim_*` tables hold entities with integer surrogate keys (`*_key`) and a
/// unique natural key; `fact_*` tables hold one row per event with foreign keys to the
/// dimensions; `*_at` columns are UTC epoch seconds; `date_key` is yyyymmdd in the
/// configured time zone. Columns marked "derived" are computed by the loader after each
/// load (sessions, reply-chain depth), so reports only aggregate.
enum Migrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1 star schema") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2 run history") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3 perception terms") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4 filtered traffic") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5 summaries") { db in
            try db.execute(sql: v5)
            try Summaries.rebuildReferralsAndSessionStarts(db)
        }
        migrator.registerMigration("v6 integer period keys") { db in
            try db.execute(sql: v6)
        }
        migrator.registerMigration("v7 visitor days") { db in
            try db.execute(sql: v7)
            try Summaries.rebuildVisitorDays(db)
        }
        migrator.registerMigration("v8 sessions without a person index") { db in
            try db.execute(sql: v8)
        }
        migrator.registerMigration("v9 subscribers, outcomes, visits, goals and topics") { db in
            try db.execute(sql: v9)
        }
        migrator.registerMigration("v10 clicks by day") { db in
            try db.execute(sql: v10)
        }
        migrator.registerMigration("v11 report cache") { db in
            try db.execute(sql: v11)
        }
        migrator.registerMigration("v12 page views and sessions by person") { db in
            try db.execute(sql: v12)
        }
        migrator.registerMigration("v13 subscriptions by list") { db in
            try db.execute(sql: v13)
        }
        migrator.registerMigration("v14 group activities awaiting their parents") { db in
            try db.execute(sql: v14)
        }
        migrator.registerMigration("v15 propagation's base") { db in
            try db.execute(sql: v15)
        }
        migrator.registerMigration("v16 visitor days by day") { db in
            try db.execute(sql: v16)
        }
        migrator.registerMigration("v17 subscribers by day") { db in
            try db.execute(sql: v17)
        }
        migrator.registerMigration("v18 no index of parents' authors") { db in
            try db.execute(sql: v18)
        }
        migrator.registerMigration("v19 sessions cut from a window of days") { db in
            try db.execute(sql: v19)
        }
    }

    /// Six reports count clicks per day (and channel, page or place): read in this
    /// index's order they need no sort. scripts/bench, 196,012 clicks: attention's
    /// clicks per day, channel and brand 0.31 s → 0.02 s.
    static let v10 = """
    CREATE INDEX fact_click_by_day ON fact_click (date_key, channel_key, content_key, geo_key);
    """

    /// The sessionizer writes every session of the visitors it re-cuts; keeping a
    /// second B-tree by person cost more than a third of that (0.98 s against 0.41 s for
    /// the 740,843 sessions of scripts/bench). Deleting the sessions of the touched
    /// visitors, or of one erased visitor, now scans the table instead (tens of
    /// milliseconds per million sessions).
    static let v8 = """
    DROP INDEX fact_session_by_person;
    """

    /// One row per command run (ingest, report, run), for `footprint status`.
    static let v2 = """
    CREATE TABLE runs (
        run_id          INTEGER PRIMARY KEY,
        command         TEXT NOT NULL,
        started_at      INTEGER NOT NULL,
        finished_at     INTEGER NOT NULL,
        exit_status     INTEGER NOT NULL,
        files_loaded    INTEGER NOT NULL,
        files_skipped   INTEGER NOT NULL,
        files_failed    INTEGER NOT NULL,
        rows_read       INTEGER NOT NULL,
        rows_loaded     INTEGER NOT NULL,
        rows_duplicate  INTEGER NOT NULL,
        rows_rejected   INTEGER NOT NULL,
        reports_written INTEGER NOT NULL,
        summary_json    TEXT NOT NULL          -- the --json summary of the run
    );
    """

    /// Which group activities use the self brand's current or aspired positioning terms
    /// (config `[perception]`), for the perception report and the quarterly review.
    static let v3 = """
    CREATE TABLE fact_term_mention (
        activity_key INTEGER NOT NULL REFERENCES fact_group_activity (activity_key),
        stance       TEXT NOT NULL CHECK (stance IN ('current', 'aspired')),
        PRIMARY KEY (activity_key, stance)
    );
    """

    /// Traffic that is not people — bots by user agent, referrer spam by referring host —
    /// is not loaded as facts but counted here, per file, quarter hour, page property and
    /// source, so that bots.csv shows what was filtered and how much.
    static let v4 = """
    CREATE TABLE fact_filtered_traffic (
        load_file_id INTEGER NOT NULL REFERENCES load_files (load_file_id),
        kind         TEXT NOT NULL CHECK (kind IN ('web', 'clicks')),
        cause        TEXT NOT NULL CHECK (cause IN ('bot', 'referrer_spam')),
        source       TEXT NOT NULL,          -- the bot's name, or the listed spam domain
        property_key INTEGER REFERENCES dim_property (property_key),  -- web: the page's property
        date_key     INTEGER REFERENCES dim_date (date_key),          -- NULL: timestamp unreadable
        bucket_at    INTEGER,                -- start of the UTC quarter hour (for re-zoning)
        hits         INTEGER NOT NULL CHECK (hits > 0)
    );
    CREATE INDEX fact_filtered_traffic_by_date ON fact_filtered_traffic (date_key);
    """

    /// Summaries kept up to date by the loader (Summaries.swift), so that reports read a
    /// few thousand rows instead of every page view and session: per day, content and
    /// referrer, the page views and the first one (propagation); per day, property and
    /// referrer, the sessions that started and how many bounced (referrers, engagement).
    /// Each is a pure function of its fact table; Summaries.rebuild recomputes it.
    static let v5 = """
    CREATE TABLE agg_page_view_referral (
        date_key        INTEGER NOT NULL REFERENCES dim_date (date_key),
        content_key     INTEGER NOT NULL REFERENCES dim_content (content_key),
        referrer_key    INTEGER NOT NULL REFERENCES dim_referrer (referrer_key),
        first_viewed_at INTEGER NOT NULL,
        views           INTEGER NOT NULL,
        PRIMARY KEY (date_key, content_key, referrer_key)
    ) WITHOUT ROWID;

    CREATE TABLE agg_session_start (
        date_key     INTEGER NOT NULL REFERENCES dim_date (date_key),
        property_key INTEGER NOT NULL REFERENCES dim_property (property_key),
        referrer_key INTEGER NOT NULL REFERENCES dim_referrer (referrer_key),
        sessions     INTEGER NOT NULL,
        bounces      INTEGER NOT NULL,      -- sessions of one page view
        PRIMARY KEY (date_key, property_key, referrer_key)
    ) WITHOUT ROWID;
    """

    /// Each period's number beside its label in dim_date (202418 for 2024-W18, 202405,
    /// 20242 for 2024-Q2): reports group millions of rows by period, and integers sort
    /// much faster than text. Labels stay the names in the reports.
    static let v6 = """
    ALTER TABLE dim_date ADD COLUMN week_key INTEGER;
    ALTER TABLE dim_date ADD COLUMN month_key INTEGER;
    ALTER TABLE dim_date ADD COLUMN quarter_key INTEGER;
    UPDATE dim_date SET
        week_key = CAST(substr(iso_week, 1, 4) AS INTEGER) * 100 + CAST(substr(iso_week, 7) AS INTEGER),
        month_key = CAST(substr(month, 1, 4) AS INTEGER) * 100 + CAST(substr(month, 6) AS INTEGER),
        quarter_key = CAST(substr(quarter, 1, 4) AS INTEGER) * 10 + CAST(substr(quarter, 7) AS INTEGER);
    """

    /// Page views per visitor, property, day and place: what reports group to count
    /// distinct visitors exactly, several times smaller than the page views themselves.
    /// The sessionizer writes it (it walks each visitor's views in time order anyway).
    static let v7 = """
    CREATE TABLE agg_visitor_day (
        person_key    INTEGER NOT NULL REFERENCES dim_person (person_key),
        property_key  INTEGER NOT NULL REFERENCES dim_property (property_key),
        date_key      INTEGER NOT NULL REFERENCES dim_date (date_key),
        geo_key       INTEGER NOT NULL REFERENCES dim_geography (geo_key),
        views         INTEGER NOT NULL,
        engaged_total REAL,                -- sum of engaged seconds where given
        engaged_views INTEGER NOT NULL,    -- page views that gave them
        PRIMARY KEY (person_key, property_key, date_key, geo_key)
    ) WITHOUT ROWID;
    """

    static let v1 = """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    CREATE TABLE dim_date (
        date_key  INTEGER PRIMARY KEY,          -- yyyymmdd in the configured zone
        full_date TEXT NOT NULL,                -- 2024-05-01, also the `day` period label
        iso_week  TEXT NOT NULL,                -- 2024-W18 (ISO 8601, weeks start Monday)
        month     TEXT NOT NULL,                -- 2024-05
        quarter   TEXT NOT NULL,                -- 2024-Q2
        year      INTEGER NOT NULL,
        -- The label of the period just before this day's, for period-over-period changes
        -- without date arithmetic in report SQL.
        previous_day     TEXT NOT NULL,
        previous_week    TEXT NOT NULL,
        previous_month   TEXT NOT NULL,
        previous_quarter TEXT NOT NULL
    );

    CREATE TABLE dim_geography (
        geo_key      INTEGER PRIMARY KEY,
        country_code TEXT NOT NULL,             -- ISO 3166-1 alpha-2, ZZ unknown
        country_name TEXT NOT NULL,
        region       TEXT NOT NULL,             -- '' when not given
        city         TEXT NOT NULL,
        UNIQUE (country_code, region, city)
    );

    CREATE TABLE dim_content (
        content_key INTEGER PRIMARY KEY,
        url         TEXT NOT NULL UNIQUE,       -- canonical form (CONTRACT.md section 3)
        host        TEXT NOT NULL
    );

    CREATE TABLE dim_referrer (
        referrer_key INTEGER PRIMARY KEY,
        domain       TEXT NOT NULL UNIQUE,      -- '' is direct
        category     TEXT NOT NULL CHECK (category IN ('direct','search','social','news','email','shortener','owned','web'))
    );

    CREATE TABLE dim_property (
        property_key INTEGER PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE       -- site, blog, … from config (else the host)
    );

    CREATE TABLE dim_short_link (
        short_link_key     INTEGER PRIMARY KEY,
        short_url          TEXT NOT NULL UNIQUE,
        target_content_key INTEGER NOT NULL REFERENCES dim_content (content_key)
    );

    CREATE TABLE dim_group (
        group_key INTEGER PRIMARY KEY,
        platform  TEXT NOT NULL,                -- '' when not given
        name      TEXT NOT NULL,
        UNIQUE (platform, name)
    );

    -- person_key is the first 63 bits of person_hash, so the loader knows a visitor's key
    -- without a look-up. Two different ids sharing those 63 bits (and so counting as one
    -- person) has a chance of about 1 in 18 million for a million visitors.
    CREATE TABLE dim_person (
        person_key  INTEGER PRIMARY KEY,
        person_hash TEXT NOT NULL               -- keyed hash of a visitor or actor id; raw ids are never stored
    );

    CREATE TABLE dim_channel (
        channel_key INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE        -- twitter, linkedin, email … ('' unknown)
    );

    CREATE TABLE load_files (
        load_file_id   INTEGER PRIMARY KEY,
        path           TEXT NOT NULL,
        content_sha256 TEXT NOT NULL UNIQUE,
        kind           TEXT NOT NULL,
        format         TEXT NOT NULL,
        rows_read      INTEGER NOT NULL,
        rows_loaded    INTEGER NOT NULL,
        rows_duplicate INTEGER NOT NULL,
        rows_rejected  INTEGER NOT NULL,
        rows_skipped   INTEGER NOT NULL DEFAULT 0,  -- rows that are not events of this kind (config filters)
        started_at     INTEGER NOT NULL,
        finished_at    INTEGER NOT NULL,
        CHECK (rows_read = rows_loaded + rows_duplicate + rows_rejected + rows_skipped)
    );

    CREATE TABLE load_rejects (
        load_reject_id INTEGER PRIMARY KEY,
        load_file_id   INTEGER NOT NULL REFERENCES load_files (load_file_id),
        line           INTEGER NOT NULL,
        reason         TEXT NOT NULL,
        raw_text       TEXT NOT NULL            -- cut to 4 KiB
    );
    CREATE INDEX load_rejects_by_file ON load_rejects (load_file_id, line);

    -- Fact rows are appended with increasing keys (cheap inserts). Duplicates are found
    -- through `source_hash`, a stable 63-bit hash of the row's identity (event id, or a
    -- content hash), kept unique by one narrow integer index; `source_id` keeps the
    -- identity itself so that the rare hash collision is told apart exactly (the loader
    -- then stores the row under the next free hash).
    -- Facts carry few secondary indexes on purpose: reports scan them whole, and every
    -- index slows the nightly load (scripts/bench measures both).
    CREATE TABLE fact_page_view (
        page_view_key   INTEGER PRIMARY KEY,
        source_hash     INTEGER NOT NULL,
        source_id       TEXT NOT NULL,
        date_key        INTEGER NOT NULL REFERENCES dim_date (date_key),
        viewed_at       INTEGER NOT NULL,
        person_key      INTEGER NOT NULL REFERENCES dim_person (person_key),
        property_key    INTEGER NOT NULL REFERENCES dim_property (property_key),
        content_key     INTEGER NOT NULL REFERENCES dim_content (content_key),
        referrer_key    INTEGER NOT NULL REFERENCES dim_referrer (referrer_key),
        geo_key         INTEGER NOT NULL REFERENCES dim_geography (geo_key),
        session_ref     TEXT,                   -- the export's session id, if any
        engaged_seconds REAL,
        load_file_id    INTEGER NOT NULL REFERENCES load_files (load_file_id)
    );
    CREATE UNIQUE INDEX fact_page_view_source ON fact_page_view (source_hash);

    CREATE TABLE fact_click (
        click_key      INTEGER PRIMARY KEY,
        source_hash    INTEGER NOT NULL,
        source_id      TEXT NOT NULL,
        date_key       INTEGER NOT NULL REFERENCES dim_date (date_key),
        clicked_at     INTEGER NOT NULL,
        short_link_key INTEGER NOT NULL REFERENCES dim_short_link (short_link_key),
        content_key    INTEGER NOT NULL REFERENCES dim_content (content_key),
        referrer_key   INTEGER NOT NULL REFERENCES dim_referrer (referrer_key),
        channel_key    INTEGER NOT NULL REFERENCES dim_channel (channel_key),
        geo_key        INTEGER NOT NULL REFERENCES dim_geography (geo_key),
        load_file_id   INTEGER NOT NULL REFERENCES load_files (load_file_id)
    );
    CREATE UNIQUE INDEX fact_click_source ON fact_click (source_hash);

    CREATE TABLE fact_group_activity (
        activity_key        INTEGER PRIMARY KEY,
        source_hash         INTEGER NOT NULL,
        source_id           TEXT NOT NULL,      -- platform + U+001F + activity id
        date_key            INTEGER NOT NULL REFERENCES dim_date (date_key),
        occurred_at         INTEGER NOT NULL,
        group_key           INTEGER NOT NULL REFERENCES dim_group (group_key),
        person_key          INTEGER NOT NULL REFERENCES dim_person (person_key),
        action              TEXT NOT NULL,      -- post, comment, share, like, view, join, …
        parent_source_id    TEXT,               -- platform + U+001F + parent id, as given
        parent_source_hash  INTEGER,            -- its hash, to find the parent through the index
        content_key         INTEGER REFERENCES dim_content (content_key),
        activity_count      INTEGER NOT NULL,
        geo_key             INTEGER NOT NULL REFERENCES dim_geography (geo_key),
        title               TEXT NOT NULL,
        body                TEXT NOT NULL,
        load_file_id        INTEGER NOT NULL REFERENCES load_files (load_file_id),
        parent_activity_key INTEGER,            -- derived: the parent row, once loaded
        thread_root_key     INTEGER,            -- derived: the post the thread hangs from
        depth               INTEGER             -- derived: 0 for a post, +1 per comment/reply/share
    );
    CREATE UNIQUE INDEX fact_group_activity_source ON fact_group_activity (source_hash);
    CREATE INDEX fact_group_activity_by_parent ON fact_group_activity (parent_activity_key);

    -- Derived: one row per visit (session) of a visitor on a property, rebuilt by the
    -- loader for the visitors each load touched. A session id in the export wins; else a
    -- gap of more than the session timeout (30 minutes) starts a new session.
    CREATE TABLE fact_session (
        session_key         INTEGER PRIMARY KEY,
        person_key          INTEGER NOT NULL REFERENCES dim_person (person_key),
        property_key        INTEGER NOT NULL REFERENCES dim_property (property_key),
        date_key            INTEGER NOT NULL REFERENCES dim_date (date_key),  -- day it started
        started_at          INTEGER NOT NULL,
        ended_at            INTEGER NOT NULL,
        session_number      INTEGER NOT NULL,   -- 1 for the visitor's first session on the property
        page_count          INTEGER NOT NULL,   -- 1 is a bounce
        referrer_key        INTEGER NOT NULL REFERENCES dim_referrer (referrer_key),  -- of the first page view
        landing_content_key INTEGER NOT NULL REFERENCES dim_content (content_key)
    );
    CREATE INDEX fact_session_by_person ON fact_session (person_key);

    -- Tracked brands (synced from config) and which group activities mention them.
    CREATE TABLE dim_brand (
        brand_key INTEGER PRIMARY KEY,
        name      TEXT NOT NULL UNIQUE,
        is_self   INTEGER NOT NULL CHECK (is_self IN (0, 1))
    );
    CREATE TABLE dim_brand_domain (
        brand_key INTEGER NOT NULL REFERENCES dim_brand (brand_key),
        domain    TEXT NOT NULL,                -- subdomains included
        PRIMARY KEY (brand_key, domain)
    );
    CREATE TABLE fact_brand_mention (
        activity_key INTEGER NOT NULL REFERENCES fact_group_activity (activity_key),
        brand_key    INTEGER NOT NULL REFERENCES dim_brand (brand_key),
        PRIMARY KEY (activity_key, brand_key)
    );

    -- Work the loader still owes after a load (kept in the database so that a killed
    -- run's successor finishes it).
    CREATE TABLE pending_sessions (
        person_key INTEGER PRIMARY KEY
    );
    """
}
