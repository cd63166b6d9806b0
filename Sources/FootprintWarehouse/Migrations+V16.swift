/// Migration v16: the visitor-day summaries ordered by day, and the days a night's
/// sessionizer pass owes them (the rest is in Migrations.swift, +V9 and +V11).
extension Migrations {
    /// A night re-counts the visitor days of the visitors it touched. Ordered by visitor,
    /// their rows lay across every page of both tables, so a night of 3,000 returning
    /// visitors rewrote nearly all of them (1,615 of 2,147 pages of agg_visitor_day at 2
    /// million page views of history, each written to the WAL and again at the
    /// checkpoint: scripts/bench-nightly, pages compared before and after). Ordered by
    /// day, a night writes the pages of the days it loaded, and the reports, which read
    /// a range of days, read only that range. `pending_days` holds those days: the rows
    /// of the pending visitors on them are the ones the pass recomputes.
    static let v16 = """
    CREATE TABLE pending_days (
        date_key INTEGER PRIMARY KEY
    );
    -- A run that stopped between its loads and its sessionizer pass left visitors pending:
    -- all their days are due.
    INSERT INTO pending_days (date_key)
    SELECT DISTINCT date_key FROM fact_page_view WHERE person_key IN (SELECT person_key FROM pending_sessions);
    CREATE TABLE agg_visitor_day_by_day (
        date_key      INTEGER NOT NULL REFERENCES dim_date (date_key),
        property_key  INTEGER NOT NULL REFERENCES dim_property (property_key),
        person_key    INTEGER NOT NULL REFERENCES dim_person (person_key),
        geo_key       INTEGER NOT NULL REFERENCES dim_geography (geo_key),
        views         INTEGER NOT NULL,
        engaged_total REAL,                -- sum of engaged seconds where given
        engaged_views INTEGER NOT NULL,    -- page views that gave them
        PRIMARY KEY (date_key, property_key, person_key, geo_key)
    ) WITHOUT ROWID;
    INSERT INTO agg_visitor_day_by_day (date_key, property_key, person_key, geo_key, views, engaged_total, engaged_views)
    SELECT date_key, property_key, person_key, geo_key, views, engaged_total, engaged_views
    FROM agg_visitor_day ORDER BY date_key, property_key, person_key, geo_key;
    DROP TABLE agg_visitor_day;
    ALTER TABLE agg_visitor_day_by_day RENAME TO agg_visitor_day;
    CREATE TABLE agg_topic_visitor_day_by_day (
        date_key   INTEGER NOT NULL REFERENCES dim_date (date_key),
        topic_key  INTEGER NOT NULL REFERENCES dim_topic (topic_key),
        person_key INTEGER NOT NULL REFERENCES dim_person (person_key),
        PRIMARY KEY (date_key, topic_key, person_key)
    ) WITHOUT ROWID;
    INSERT INTO agg_topic_visitor_day_by_day (date_key, topic_key, person_key)
    SELECT date_key, topic_key, person_key FROM agg_topic_visitor_day ORDER BY date_key, topic_key, person_key;
    DROP TABLE agg_topic_visitor_day;
    ALTER TABLE agg_topic_visitor_day_by_day RENAME TO agg_topic_visitor_day;
    """
}
