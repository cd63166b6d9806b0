/// PostgreSQL schema versions 2 and later (v1, the star schema, is in
/// PostgresSchema.swift): each is applied once, in order, never edited after release.
extension PostgresSchema {
    /// vips.csv's index (SQLite's v13). And URLs: a B-tree entry holds at most about 2,700
    /// bytes, so a longer canonical URL (or short link URL) stopped its file at the unique
    /// constraint. A hash index keeps URLs unique exactly (the constraint compares the
    /// URLs themselves, the index only finds candidates) and finds a URL by equality,
    /// whatever its length.
    static let v2 = """
    CREATE INDEX fact_subscription_by_list ON fact_subscription (list, person_key, date_key, unsubscribed_date_key);
    ALTER TABLE dim_content DROP CONSTRAINT dim_content_url_key;
    ALTER TABLE dim_content ADD CONSTRAINT dim_content_url_excl EXCLUDE USING hash (url WITH =);
    ALTER TABLE dim_short_link DROP CONSTRAINT dim_short_link_short_url_key;
    ALTER TABLE dim_short_link ADD CONSTRAINT dim_short_link_url_excl EXCLUDE USING hash (short_url WITH =);
    """

    /// A night's sessionizer reads the page views of the visitors it touched and replaces
    /// their sessions: without these it scanned every page view and every session
    /// (SQLite has had them since its v12). A first load drops the page views' index and
    /// builds it once afterwards (PostgresFactLoad), as it does the dedupe index.
    static let v3 = """
    CREATE INDEX fact_page_view_by_person ON fact_page_view (person_key);
    CREATE INDEX fact_session_by_person ON fact_session (person_key);
    """

    /// The other unique texts that come from the exports, kept unique the way URLs are
    /// (v2): a referrer's domain (a tagged source can be any text), a property's name (a
    /// page's host), a channel's, a group's and a place's names. A B-tree entry holds
    /// about 2,700 bytes, and a longer value that did not compress stopped its file.
    /// Hash indexes take one column: a group and a place are kept unique by the array of
    /// their names, which compares name by name (no separator to confuse).
    static let v4 = """
    ALTER TABLE dim_referrer DROP CONSTRAINT dim_referrer_domain_key;
    ALTER TABLE dim_referrer ADD CONSTRAINT dim_referrer_domain_excl EXCLUDE USING hash (domain WITH =);
    ALTER TABLE dim_property DROP CONSTRAINT dim_property_name_key;
    ALTER TABLE dim_property ADD CONSTRAINT dim_property_name_excl EXCLUDE USING hash (name WITH =);
    ALTER TABLE dim_channel DROP CONSTRAINT dim_channel_name_key;
    ALTER TABLE dim_channel ADD CONSTRAINT dim_channel_name_excl EXCLUDE USING hash (name WITH =);
    ALTER TABLE dim_group DROP CONSTRAINT dim_group_platform_name_key;
    ALTER TABLE dim_group ADD CONSTRAINT dim_group_names_excl EXCLUDE USING hash ((ARRAY[platform, name]) WITH =);
    ALTER TABLE dim_geography DROP CONSTRAINT dim_geography_country_code_region_city_key;
    ALTER TABLE dim_geography ADD CONSTRAINT dim_geography_names_excl
        EXCLUDE USING hash ((ARRAY[country_code, region, city]) WITH =);
    """

    /// SQLite's v14: the group activities whose parent, or parent's author, the thread
    /// pass has yet to resolve (a night's few, found by scanning every activity before).
    static let v5 = """
    CREATE INDEX fact_group_activity_parent_unresolved ON fact_group_activity (activity_key)
        WHERE parent_source_id IS NOT NULL AND parent_activity_key IS NULL;
    CREATE INDEX fact_group_activity_parent_author_unresolved ON fact_group_activity (activity_key)
        WHERE parent_activity_key IS NOT NULL AND parent_person_key IS NULL;
    """

    /// SQLite's v15, propagation.csv's base; on a database already spread over Citus the
    /// new tables become reference tables like the rest of the cache (a plain table on
    /// the coordinator does not join the workers' tables). And group activities by day:
    /// topics, attention, impact and perception read a night's stale period of them,
    /// which PostgreSQL found by scanning all of them, several times per report
    /// (2,000,000 page views of history, 108,000 activities: topics.csv 0.29 → 0.11 s,
    /// the four 0.55 → 0.24 s a night). Not on SQLite: it scans them in a few
    /// milliseconds and, without statistics, took the index for whole-range reports too
    /// (a full report of that history 4.3 → 4.6 s, for 0.01 s a night). And by load file
    /// (SQLite's v15 too): the mentions pass reads a night's new activities, found by
    /// scanning all of them (35 ms a night at 2,000,000 page views).
    static let v6 = """
    CREATE TABLE report_cache_propagation (
        content_key BIGINT PRIMARY KEY,
        first_view BIGINT, views BIGINT NOT NULL,
        first_social BIGINT, first_news BIGINT, first_search BIGINT, first_email BIGINT,
        first_web_referral BIGINT,
        first_click BIGINT, clicks BIGINT NOT NULL, first_share BIGINT,
        domain_count BIGINT NOT NULL, top_referrer_key BIGINT, top_referrals BIGINT
    );
    CREATE TABLE report_cache_propagation_referral (
        content_key BIGINT NOT NULL,
        referrer_key BIGINT NOT NULL,
        referrals BIGINT NOT NULL,
        PRIMARY KEY (content_key, referrer_key)
    );
    CREATE TABLE report_cache_propagation_thread (
        thread_root_key BIGINT PRIMARY KEY,
        activities BIGINT NOT NULL,
        max_depth BIGINT NOT NULL
    );
    CREATE TABLE report_cache_propagation_share (
        content_key BIGINT NOT NULL,
        thread_root_key BIGINT NOT NULL,
        PRIMARY KEY (content_key, thread_root_key)
    );
    CREATE TABLE report_cache_propagation_state (
        settings TEXT COLLATE "C" NOT NULL,
        through BIGINT NOT NULL
    );
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM meta WHERE key = 'distributed') THEN
            EXECUTE 'SELECT create_reference_table(''report_cache_propagation'')';
            EXECUTE 'SELECT create_reference_table(''report_cache_propagation_referral'')';
            EXECUTE 'SELECT create_reference_table(''report_cache_propagation_thread'')';
            EXECUTE 'SELECT create_reference_table(''report_cache_propagation_share'')';
            EXECUTE 'SELECT create_reference_table(''report_cache_propagation_state'')';
        END IF;
    END $$;
    CREATE INDEX fact_group_activity_by_day ON fact_group_activity (date_key);
    CREATE INDEX fact_group_activity_by_file ON fact_group_activity (load_file_id);
    """

    /// The days whose page views changed since the sessionizer's last pass: it recounts
    /// the pending visitors' visitor days of these days only (SQLite's v16 also orders
    /// its visitor-day tables by day; here the indexes by person find the rows).
    static let v7 = """
    CREATE TABLE pending_days (
        date_key BIGINT PRIMARY KEY
    );
    -- A run that stopped between its loads and its sessionizer pass left visitors pending:
    -- all their days are due.
    INSERT INTO pending_days (date_key)
    SELECT DISTINCT date_key FROM fact_page_view WHERE person_key IN (SELECT person_key FROM pending_sessions);
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM meta WHERE key = 'distributed') THEN
            EXECUTE 'SELECT create_reference_table(''pending_days'')';
        END IF;
    END $$;
    """

    /// Subscribers per list and day (see Migrations.v17). Reference tables on Citus,
    /// as the subscriptions are.
    static let v8 = """
    CREATE TABLE agg_subscriber_span (
        list          TEXT COLLATE "C" NOT NULL,
        person_key    BIGINT NOT NULL,
        subscriptions BIGINT NOT NULL,
        from_day      BIGINT NOT NULL,  -- the first subscribed
        to_day        BIGINT,           -- the first ended, if any
        PRIMARY KEY (list, person_key)
    );
    CREATE INDEX agg_subscriber_span_several ON agg_subscriber_span (list, person_key) WHERE subscriptions > 1;
    CREATE TABLE agg_subscriber_day (
        list     TEXT COLLATE "C" NOT NULL,
        date_key BIGINT NOT NULL,
        started  BIGINT NOT NULL,   -- spans of one subscription starting that day
        ended    BIGINT NOT NULL,   -- and ending
        PRIMARY KEY (list, date_key)
    );
    CREATE TABLE pending_subscribers (
        list       TEXT COLLATE "C" NOT NULL,
        person_key BIGINT NOT NULL,
        PRIMARY KEY (list, person_key)
    );
    INSERT INTO agg_subscriber_span (list, person_key, subscriptions, from_day, to_day)
    SELECT list, person_key, COUNT(*), MIN(date_key), MIN(unsubscribed_date_key)
    FROM fact_subscription GROUP BY list, person_key;
    INSERT INTO agg_subscriber_day (list, date_key, started, ended)
    SELECT list, date_key, SUM(started), SUM(ended)
    FROM (SELECT list, from_day AS date_key, COUNT(*) AS started, 0 AS ended
          FROM agg_subscriber_span WHERE subscriptions = 1 GROUP BY list, from_day
          UNION ALL
          SELECT list, to_day, 0, COUNT(*)
          FROM agg_subscriber_span WHERE subscriptions = 1 AND to_day IS NOT NULL GROUP BY list, to_day) AS changes
    GROUP BY list, date_key;
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM meta WHERE key = 'distributed') THEN
            EXECUTE 'SELECT create_reference_table(''agg_subscriber_span'')';
            EXECUTE 'SELECT create_reference_table(''agg_subscriber_day'')';
            EXECUTE 'SELECT create_reference_table(''pending_subscribers'')';
        END IF;
    END $$;
    """

    /// The index of group activities waiting for their parent's author, empty and unread
    /// since the thread pass sets both at once (see Migrations.v18).
    static let v9 = """
    DROP INDEX fact_group_activity_parent_author_unresolved;
    """

    /// The visitor days, topic visitor days and sessions by day, which SQLite has had since
    /// its v16 and v19 (its visitor-day tables are keyed by day first): a night's reports
    /// read one stale month of them (the web audience of geo, geo_city, engagement and
    /// bots; topics.csv's visitors; engagement.csv's returning visitors), and here, keyed
    /// by visitor, each of those reads scanned the whole history, with two parallel
    /// workers taking both cores from the other reports. 2 million page views of history,
    /// a night's reports on a server with 2 GB of shared buffers: 0.78–0.87 s against
    /// 0.50–0.54 s with these (a history as dense over 120 days: 0.49–0.51 s against
    /// 0.45–0.52 s); on the tests' server (128 MB): 0.66–0.72 s against 0.53–0.66 s.
    static let v10 = """
    CREATE INDEX agg_visitor_day_by_day ON agg_visitor_day (date_key);
    CREATE INDEX agg_topic_visitor_day_by_day ON agg_topic_visitor_day (date_key);
    CREATE INDEX fact_session_by_day ON fact_session (date_key);
    """
}
