/// Migration v19: a night re-cuts its visitors' sessions from a window of days, not from
/// their whole history (Sessionizer, SessionWindows), so nothing is ordered by visitor
/// any more.
extension Migrations {
    /// The page views, sessions and visits were indexed by visitor so that a night could
    /// read a returning visitor's whole history. Person keys are hashes: every night's rows
    /// landed all over those three B-trees, and once one has fewer pages than a night has
    /// rows, nearly every page of it was written again (2,342, 853 and 1,065 of the 16-KB
    /// pages a night changed at 2 million page views of history; 603, 218 and 282 at
    /// 500,000). By day first, a night's rows go to the end of each.
    ///
    /// The sessions' index also holds what engagement.csv's returning visitors read
    /// (property, session number): read by day alone, each session of the month was a
    /// row looked up on another page, since a first load writes sessions by visitor (the
    /// report's statement at 2 million page views 0.06–0.07 s with no index by day,
    /// 0.12 s through one on (date_key, person_key)).
    ///
    /// `agg_visitor_property` keeps how many sessions each visitor has on each property,
    /// so that sessions cut from a window are numbered on from the ones before it (the
    /// engagement report's returning visitors are those of a session numbered above 1).
    static let v19 = """
    DROP INDEX fact_page_view_by_person;
    DROP INDEX fact_session_by_person;
    DROP INDEX fact_visit_by_person;
    CREATE INDEX fact_page_view_by_day ON fact_page_view (date_key, person_key);
    CREATE INDEX fact_session_by_day ON fact_session (date_key, person_key, property_key, session_number);
    CREATE INDEX fact_visit_by_day ON fact_visit (date_key, person_key);
    CREATE TABLE agg_visitor_property (
        person_key   INTEGER NOT NULL,
        property_key INTEGER NOT NULL,
        sessions     INTEGER NOT NULL,   -- the number of the visitor's last session there
        PRIMARY KEY (person_key, property_key)
    ) WITHOUT ROWID;
    INSERT INTO agg_visitor_property (person_key, property_key, sessions)
    SELECT person_key, property_key, MAX(session_number) FROM fact_session GROUP BY person_key, property_key;
    """
}
