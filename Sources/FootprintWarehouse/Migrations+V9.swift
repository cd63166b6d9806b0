extension Migrations {
    /// CONTRACT.md section 5: subscriptions and business outcomes as facts; visits
    /// across properties (derived, for goals); the config's goals, topics and brand
    /// accounts as dimensions, with the content items and activities they match
    /// (derived: matched in Swift once per item or activity, not in report SQL).
    /// Existing databases get empty tables, filled by the next run: visits come from
    /// re-cutting every visitor's sessions (marked here), the rest from the config.
    static let v9 = """
    CREATE TABLE fact_subscription (
        subscription_key      INTEGER PRIMARY KEY,
        source_hash           INTEGER NOT NULL,
        source_id             TEXT NOT NULL,        -- list + U+001F + subscriber hash + U+001F + subscribed_at
        person_key            INTEGER NOT NULL REFERENCES dim_person (person_key),
        list                  TEXT NOT NULL,        -- rss, newsletter, … ('default' when not given)
        subscribed_at         INTEGER NOT NULL,
        date_key              INTEGER NOT NULL REFERENCES dim_date (date_key),  -- day subscribed
        unsubscribed_at       INTEGER,
        unsubscribed_date_key INTEGER REFERENCES dim_date (date_key),
        load_file_id          INTEGER NOT NULL REFERENCES load_files (load_file_id)
    );
    CREATE UNIQUE INDEX fact_subscription_source ON fact_subscription (source_hash);

    CREATE TABLE fact_outcome (
        outcome_key  INTEGER PRIMARY KEY,
        source_hash  INTEGER NOT NULL,
        source_id    TEXT NOT NULL,                 -- day, metric, value and occurrence in the file
        date_key     INTEGER NOT NULL REFERENCES dim_date (date_key),  -- the day as given, never re-zoned
        metric       TEXT NOT NULL,
        value        REAL NOT NULL,
        load_file_id INTEGER NOT NULL REFERENCES load_files (load_file_id)
    );
    CREATE UNIQUE INDEX fact_outcome_source ON fact_outcome (source_hash);

    -- Derived: a visitor's visit across properties, the sessions of one person that
    -- follow each other within the session timeout merged (a blog post that sends its
    -- reader to the site's demo page is one visit). Rebuilt with fact_session.
    CREATE TABLE fact_visit (
        visit_key           INTEGER PRIMARY KEY,
        person_key          INTEGER NOT NULL REFERENCES dim_person (person_key),
        date_key            INTEGER NOT NULL REFERENCES dim_date (date_key),  -- day it started
        started_at          INTEGER NOT NULL,
        ended_at            INTEGER NOT NULL,
        page_count          INTEGER NOT NULL,
        referrer_key        INTEGER NOT NULL REFERENCES dim_referrer (referrer_key),  -- of the first page view
        landing_content_key INTEGER NOT NULL REFERENCES dim_content (content_key),
        goal_mask           INTEGER NOT NULL    -- bit dim_goal.bit set: the visit viewed one of that goal's pages
    );
    CREATE INDEX fact_visit_by_person ON fact_visit (person_key, started_at);
    -- Summary of fact_visit kept by the sessionizer (Summaries.swift): visits per day they
    -- started, first referrer, landing page and the goals they reached — what goals.csv
    -- reads instead of every visit.
    CREATE TABLE agg_visit_start (
        date_key            INTEGER NOT NULL REFERENCES dim_date (date_key),
        referrer_key        INTEGER NOT NULL REFERENCES dim_referrer (referrer_key),
        landing_content_key INTEGER NOT NULL REFERENCES dim_content (content_key),
        goal_mask           INTEGER NOT NULL,
        visits              INTEGER NOT NULL,
        PRIMARY KEY (date_key, referrer_key, landing_content_key, goal_mask)
    ) WITHOUT ROWID;

    CREATE TABLE dim_goal (
        goal_key INTEGER PRIMARY KEY,
        name     TEXT NOT NULL UNIQUE,
        bit      INTEGER NOT NULL UNIQUE CHECK (bit BETWEEN 0 AND 62)  -- its bit in fact_visit.goal_mask
    );
    CREATE TABLE content_goal (
        content_key INTEGER NOT NULL REFERENCES dim_content (content_key),
        goal_key    INTEGER NOT NULL REFERENCES dim_goal (goal_key),
        PRIMARY KEY (content_key, goal_key)
    );
    CREATE TABLE dim_topic (
        topic_key INTEGER PRIMARY KEY,
        name      TEXT NOT NULL UNIQUE
    );
    -- Derived by the sessionizer: who viewed a topic's pages on which day, once each —
    -- the distinct visitors of topics.csv without reading every page view.
    CREATE TABLE agg_topic_visitor_day (
        date_key   INTEGER NOT NULL REFERENCES dim_date (date_key),
        topic_key  INTEGER NOT NULL REFERENCES dim_topic (topic_key),
        person_key INTEGER NOT NULL REFERENCES dim_person (person_key),
        PRIMARY KEY (person_key, date_key, topic_key)  -- visitor first: the sessionizer writes in that order
    ) WITHOUT ROWID;
    CREATE TABLE content_topic (
        content_key INTEGER NOT NULL REFERENCES dim_content (content_key),
        topic_key   INTEGER NOT NULL REFERENCES dim_topic (topic_key),
        PRIMARY KEY (content_key, topic_key)
    );
    CREATE TABLE fact_topic_mention (
        activity_key INTEGER NOT NULL REFERENCES fact_group_activity (activity_key),
        topic_key    INTEGER NOT NULL REFERENCES dim_topic (topic_key),
        PRIMARY KEY (activity_key, topic_key)
    );
    CREATE TABLE dim_brand_account (
        brand_key  INTEGER NOT NULL REFERENCES dim_brand (brand_key),
        person_key INTEGER NOT NULL,                -- the account's keyed hash, as actors have
        PRIMARY KEY (brand_key, person_key)
    );
    -- The hosts of the config's [properties]: a URL on one of them (or on the self
    -- brand's domains) is "ours" in groups.csv.
    CREATE TABLE dim_owned_host (
        host TEXT PRIMARY KEY
    );
    -- Only while show_actor_handles is true: the id an actor is named by in reports.
    CREATE TABLE dim_actor_handle (
        person_key INTEGER PRIMARY KEY REFERENCES dim_person (person_key),
        handle     TEXT NOT NULL
    );

    -- Derived: who wrote the activity a row answers (influencers.csv groups responses by
    -- it, instead of looking every parent up on each run).
    ALTER TABLE fact_group_activity ADD COLUMN parent_person_key INTEGER;
    UPDATE fact_group_activity
    SET parent_person_key = (SELECT p.person_key FROM fact_group_activity AS p
                             WHERE p.activity_key = fact_group_activity.parent_activity_key)
    WHERE parent_activity_key IS NOT NULL;

    DELETE FROM meta WHERE key = 'brands_fingerprint';
    INSERT OR REPLACE INTO meta (key, value) SELECT 'first_load_pending', 'everyone' WHERE EXISTS (SELECT 1 FROM fact_page_view);
    """
}
