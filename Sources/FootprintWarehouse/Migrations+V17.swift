/// Migration v17: subscribers per list and day, so that vips.csv counts a period's
/// subscribers from a few rows per day rather than from every subscription ever made;
/// v18: an index no pass reads any more (the rest is in Migrations.swift and the other
/// +V files).
extension Migrations {
    /// `agg_subscriber_span` holds, per list and subscriber, how many subscriptions they
    /// hold and the first day one started and ended; `agg_subscriber_day` counts, per list
    /// and day, the spans of one subscription that start and end that day (a subscriber
    /// holding two is counted distinct from the facts, as before). `pending_subscribers`
    /// lists who a load changed: the next pass recounts just them (Summaries).
    /// Measured on 2 million page views of history (91,100 subscriptions): vips.csv of a
    /// night 0.24 s, of which grouping every subscription 0.18 s.
    static let v17 = """
    CREATE TABLE agg_subscriber_span (
        list          TEXT NOT NULL,
        person_key    INTEGER NOT NULL REFERENCES dim_person (person_key),
        subscriptions INTEGER NOT NULL,
        from_day      INTEGER NOT NULL REFERENCES dim_date (date_key),  -- the first subscribed
        to_day        INTEGER REFERENCES dim_date (date_key),           -- the first ended, if any
        PRIMARY KEY (list, person_key)
    ) WITHOUT ROWID;
    CREATE INDEX agg_subscriber_span_several ON agg_subscriber_span (list, person_key) WHERE subscriptions > 1;
    CREATE TABLE agg_subscriber_day (
        list     TEXT NOT NULL,
        date_key INTEGER NOT NULL REFERENCES dim_date (date_key),
        started  INTEGER NOT NULL,   -- spans of one subscription starting that day
        ended    INTEGER NOT NULL,   -- and ending
        PRIMARY KEY (list, date_key)
    ) WITHOUT ROWID;
    CREATE TABLE pending_subscribers (
        list       TEXT NOT NULL,
        person_key INTEGER NOT NULL,
        PRIMARY KEY (list, person_key)
    ) WITHOUT ROWID;
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
    """

    /// The thread pass sets a row's parent and its author in one UPDATE since
    /// (DerivedFacts.recomputeCascades): no row waits for its parent's author, so v14's
    /// index of those rows stayed empty and unread.
    static let v18 = """
    DROP INDEX fact_group_activity_parent_author_unresolved;
    """
}
