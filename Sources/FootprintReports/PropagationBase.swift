import FootprintWarehouse

/// propagation.csv's base: each item's figures over the days before a boundary day, kept
/// between runs beside the report cache (tables `report_cache_propagation*`), so that a
/// run adds up the days since the boundary instead of every day of the history. The file
/// has a row per item over the whole range, so it cannot be cached by period like the
/// others; but its figures add up day by day (PropagationReport.items).
///
/// The boundary is the first day of the first stale period: the report cache guarantees
/// that nothing before it changed since the last run (ReportCache.swift), so the base
/// stays true as long as its boundary is not past that day. When the stale period moves
/// on (a new month), the days between are folded into the base; when it moves back (a
/// late row, a reload) or the settings change, the base starts again from nothing.
/// `forget` drops it with the rest of the cache.
enum PropagationBase {
    /// Brings the base up to `upTo` (the first stale period's first day; nil when nothing
    /// is stale) and returns its boundary: the report adds up the days from there.
    /// `tracked`: whether the report cache knows what changed since its last run; without
    /// it (nothing cached for these settings, or a run that failed after the base was
    /// made and before the cache was stored) the base cannot be trusted.
    static func prepare(_ db: SQLConnection, settings: String, scope: ReportScope, upTo: Int?, tracked: Bool) throws -> Int {
        var through = scope.firstDay
        if tracked, let state = try db.rows("SELECT settings, through FROM \(PropagationBaseTables.state)").first,
           state[0].text == settings, let kept = state[1].int64.map({ Int($0) }), kept <= (upTo ?? kept) {
            through = kept
        } else {
            for table in PropagationBaseTables.figures { try db.execute("DELETE FROM \(table)") }
        }
        if let upTo, upTo > through {
            try fold(db, from: through, to: upTo, scope: scope)
            through = upTo
        }
        try db.execute("DELETE FROM \(PropagationBaseTables.state)")
        try db.insert(into: PropagationBaseTables.state, columns: ["settings", "through"],
                      rows: [[.text(settings), SQLValue(through)]])
        return through
    }

    static let columns = ["content_key", "first_view", "views", "first_social", "first_news", "first_search", "first_email",
                          "first_web_referral", "first_click", "clicks", "first_share", "domain_count", "top_referrer_key",
                          "top_referrals"]

    /// Adds the days from `from` to the day before `to` to the base.
    private static func fold(_ db: SQLConnection, from: Int, to: Int, scope: ReportScope) throws {
        let segment: [String: SQLValue] = ["from": SQLValue(from), "last": SQLValue(min(to - 1, scope.lastDay))]
        let arguments = segment.merging(["base": 1]) { $1 }
        // The items' new figures (a row per item) before their referrals, which they are
        // counted against; into a table of their own while the base is read, then written
        // back whole. Not into memory: they took the first report of 200,000 items over three
        // months from 115 to 183 MB.
        let list = columns.joined(separator: ", ")
        try db.execute("CREATE TEMP TABLE propagation_fold (\(columns.map { $0 + " BIGINT" }.joined(separator: ", ")))")
        try db.execute("INSERT INTO propagation_fold (\(list)) " + PropagationReport.items + """
            SELECT i.content_key, i.first_view, i.views, i.first_social, i.first_news, i.first_search, i.first_email,
                   i.first_web_referral, i.first_click, i.clicks, i.first_share, i.domain_count, r.referrer_key, i.top_referrals
            FROM items AS i
            LEFT JOIN dim_referrer AS r ON r.domain = i.top_domain
            """, arguments)
        try db.execute("""
            INSERT INTO report_cache_propagation_referral (content_key, referrer_key, referrals)
            SELECT a.content_key, a.referrer_key, SUM(a.views)
            FROM agg_page_view_referral AS a
            JOIN dim_referrer AS r ON r.referrer_key = a.referrer_key
            WHERE a.date_key BETWEEN :from AND :last AND r.category NOT IN ('direct', 'owned')
            GROUP BY a.content_key, a.referrer_key
            ON CONFLICT (content_key, referrer_key) DO UPDATE SET referrals = report_cache_propagation_referral.referrals + excluded.referrals
            """, segment)
        // Each thread's activities (a thread is its root's; a reply cycle has none), and
        // the threads each item was shared in.
        try db.execute("""
            INSERT INTO report_cache_propagation_thread (thread_root_key, activities, max_depth)
            SELECT thread_root_key, SUM(activity_count), MAX(depth)
            FROM fact_group_activity
            WHERE thread_root_key IS NOT NULL AND date_key BETWEEN :from AND :last
            GROUP BY thread_root_key
            ON CONFLICT (thread_root_key) DO UPDATE
            SET activities = report_cache_propagation_thread.activities + excluded.activities,
                max_depth = CASE WHEN excluded.max_depth > report_cache_propagation_thread.max_depth
                                 THEN excluded.max_depth ELSE report_cache_propagation_thread.max_depth END
            """, segment)
        try db.execute("""
            INSERT INTO report_cache_propagation_share (content_key, thread_root_key)
            SELECT DISTINCT content_key, thread_root_key
            FROM fact_group_activity
            WHERE content_key IS NOT NULL AND thread_root_key IS NOT NULL AND date_key BETWEEN :from AND :last
            ON CONFLICT (content_key, thread_root_key) DO NOTHING
            """, segment)
        try db.execute("DELETE FROM report_cache_propagation")
        try db.execute("INSERT INTO report_cache_propagation (\(list)) SELECT \(list) FROM propagation_fold")
        try db.execute("DROP TABLE propagation_fold")
    }
}
