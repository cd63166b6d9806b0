/// Migrations v11 to v15: the report cache, the indexes by person the nightly sessionizer
/// reads through, subscriptions by list, group activities awaiting their parents,
/// propagation's base, group activities by load file (the rest is in Migrations.swift and Migrations+V9.swift).
extension Migrations {
    /// The rows of the last report run per report and period, and what they were
    /// computed from (ReportCache.swift): the next run recomputes only stale periods.
    static let v11 = """
    CREATE TABLE report_cache (
        report TEXT NOT NULL,       -- file name: geo.csv, …
        period TEXT NOT NULL,       -- the period label its rows start with
        body   TEXT NOT NULL,       -- those rows as CSV lines, in report order
        PRIMARY KEY (report, period)
    );
    CREATE TABLE report_cache_state (
        settings   TEXT NOT NULL,   -- digest of config, period, range and report revision
        stale_from INTEGER NOT NULL, -- date key: cached periods from its day on are stale
        -- The highest key of each insert-only fact table when the rows were computed.
        last_fact_page_view INTEGER NOT NULL,
        last_fact_click INTEGER NOT NULL,
        last_fact_group_activity INTEGER NOT NULL,
        last_fact_subscription INTEGER NOT NULL,
        last_fact_outcome INTEGER NOT NULL,
        last_fact_filtered_traffic INTEGER NOT NULL
    );
    """

    /// A night re-cuts the sessions of the few thousand visitors it touched: without these
    /// it read every page view and scanned every session twice to find theirs, a cost that
    /// grew with the history, not with the night (scripts/bench-nightly). A first load
    /// of page views, in file order, drops the page views' one and builds it afterwards
    /// (BulkPageViewLoad); sessions are written in person order, so theirs grows at its
    /// end (v8 dropped it when every session was written through a second, random
    /// index: 0.98 s against 0.41 s then; in order it costs about 0.2 s at 740,000).
    static let v12 = """
    CREATE INDEX fact_page_view_by_person ON fact_page_view (person_key);
    CREATE INDEX fact_session_by_person ON fact_session (person_key);
    """

    /// vips.csv counts each list's subscribers per period from one group per list and
    /// person: read in this index's order, without a sort of every subscription
    /// (scripts/bench-nightly, 90,000 subscriptions: 0.12 → 0.05 s of every night's run).
    static let v13 = """
    CREATE INDEX fact_subscription_by_list ON fact_subscription (list, person_key, date_key, unsubscribed_date_key);
    """

    /// The thread pass looks for the group activities whose parent is not resolved yet,
    /// and whose parent's author is not: a night's few, but found by scanning every
    /// activity of the history (DerivedFacts.recomputeCascades). These partial indexes
    /// hold just those rows; the same on PostgreSQL (PostgresSchema.v5).
    static let v14 = """
    CREATE INDEX fact_group_activity_parent_unresolved ON fact_group_activity (activity_key)
        WHERE parent_source_id IS NOT NULL AND parent_activity_key IS NULL;
    CREATE INDEX fact_group_activity_parent_author_unresolved ON fact_group_activity (activity_key)
        WHERE parent_activity_key IS NOT NULL AND parent_person_key IS NULL;
    """

    /// propagation.csv's figures per item over the days before `through`, kept by the
    /// report cache (PropagationBase.swift): a night adds the days since, instead of
    /// grouping every day's referrals again. Referrals are kept per item and referring
    /// domain (a referrer is one domain), for the domain count and the top referrer, and
    /// per thread, for the cascades. And group activities by load file: the mentions pass
    /// reads a night's new activities, found by scanning all of them before.
    static let v15 = """
    CREATE INDEX fact_group_activity_by_file ON fact_group_activity (load_file_id);
    CREATE TABLE report_cache_propagation (
        content_key INTEGER PRIMARY KEY,
        first_view INTEGER, views INTEGER NOT NULL,
        first_social INTEGER, first_news INTEGER, first_search INTEGER, first_email INTEGER,
        first_web_referral INTEGER,
        first_click INTEGER, clicks INTEGER NOT NULL, first_share INTEGER,
        domain_count INTEGER NOT NULL, top_referrer_key INTEGER, top_referrals INTEGER
    );
    CREATE TABLE report_cache_propagation_referral (
        content_key INTEGER NOT NULL,
        referrer_key INTEGER NOT NULL,   -- a referrer counted as a domain (not direct, not owned)
        referrals INTEGER NOT NULL,
        PRIMARY KEY (content_key, referrer_key)
    );
    -- Thread cascades: each thread's activities before `through` (by its root), and which
    -- items were shared in which threads before it.
    CREATE TABLE report_cache_propagation_thread (
        thread_root_key INTEGER PRIMARY KEY,
        activities INTEGER NOT NULL,
        max_depth INTEGER NOT NULL
    );
    CREATE TABLE report_cache_propagation_share (
        content_key INTEGER NOT NULL,
        thread_root_key INTEGER NOT NULL,
        PRIMARY KEY (content_key, thread_root_key)
    );
    CREATE TABLE report_cache_propagation_state (
        settings TEXT NOT NULL,          -- report_cache_state's digest the base was made for
        through INTEGER NOT NULL         -- date key: the base holds the days before it
    );
    """
}
