import FootprintOutput
import FootprintWarehouse

/// propagation.csv — how each content item (canonical URL) travelled within the
/// report's date range (one row per item over the whole range, not per period): when it first got an owned page view, a short-link click, a
/// group share, and a referral from a social, news, search, email or other site; the
/// order it reached those channels; totals; and how deep its group threads went.
///
/// `group_activities` and `max_cascade_depth` count every activity in the threads where
/// the item was shared (the share, comments on it, replies, reshares, reactions).
enum PropagationReport {
    static let columns = [
        "content_url", "first_seen", "first_owned_view", "first_click", "first_group_share",
        "first_social_referral", "first_news_referral", "hours_to_news", "channel_path", "channels_reached",
        "views", "clicks", "group_activities", "max_cascade_depth", "referring_domains", "top_referrer",
    ]

    /// Channels in the order CONTRACT.md lists them; ties in time keep this order.
    static let channelOrder = ["web", "clicks", "groups", "social", "news", "search", "email", "web-referral"]

    /// Each item's figures from the loader's daily summaries, for the days from `:from`
    /// to `:last`, added to those of propagation's base (the days before `:from`, kept by
    /// the report cache: PropagationBase.swift) when `:base` is 1. Every figure adds up
    /// day by day: firsts are minimums, counts are sums, and the referring domains are
    /// counted and ranked from the base's referrals per item and domain plus the new
    /// ones (the cascades, in `sql`, per thread). `items` ends the text: the report and
    /// the base's fold go on from it.
    static let items = """
        WITH pairs AS (
            -- Per item and referrer, the first view and the count, from the loader's
            -- daily summary of page views (agg_page_view_referral), not every view.
            SELECT content_key, referrer_key, MIN(first_viewed_at) AS first_at, SUM(views) AS views
            FROM agg_page_view_referral WHERE date_key BETWEEN :from AND :last
            GROUP BY content_key, referrer_key
        ), parts AS (
            SELECT content_key, first_view, views, first_social, first_news, first_search, first_email,
                   first_web_referral, first_click, clicks, first_share
            FROM report_cache_propagation WHERE :base = 1
            UNION ALL
            -- Views and the first referral of each kind, in one pass over the pairs.
            SELECT p.content_key, MIN(p.first_at), SUM(p.views),
                   MIN(CASE WHEN r.category = 'social' THEN p.first_at END),
                   MIN(CASE WHEN r.category = 'news' THEN p.first_at END),
                   MIN(CASE WHEN r.category = 'search' THEN p.first_at END),
                   MIN(CASE WHEN r.category = 'email' THEN p.first_at END),
                   MIN(CASE WHEN r.category = 'web' THEN p.first_at END),
                   NULL, 0, NULL
            FROM pairs AS p
            JOIN dim_referrer AS r ON r.referrer_key = p.referrer_key
            GROUP BY p.content_key
            UNION ALL
            SELECT content_key, NULL, 0, NULL, NULL, NULL, NULL, NULL, MIN(clicked_at), COUNT(*), NULL
            -- `+date_key`: not through fact_click_by_day, which lacks clicked_at (a table
            -- lookup per click took 0.67 s against a 0.28 s scan on scripts/bench).
            FROM fact_click WHERE +date_key BETWEEN :from AND :last
            GROUP BY content_key
            UNION ALL
            SELECT content_key, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, MIN(occurred_at)
            FROM fact_group_activity
            WHERE content_key IS NOT NULL AND date_key BETWEEN :from AND :last
            GROUP BY content_key
        ), referrals AS (
            -- Referrals per item and referring domain (a referrer is one domain:
            -- dim_referrer.domain is unique) with the base's; `added`: a domain the
            -- base did not have for the item.
            SELECT p.content_key, p.referrer_key, r.domain, p.views + COALESCE(b.referrals, 0) AS referrals,
                   CASE WHEN b.referrals IS NULL THEN 1 ELSE 0 END AS added
            FROM pairs AS p
            JOIN dim_referrer AS r ON r.referrer_key = p.referrer_key
            LEFT JOIN report_cache_propagation_referral AS b
              ON :base = 1 AND b.content_key = p.content_key AND b.referrer_key = p.referrer_key
            WHERE r.category NOT IN ('direct', 'owned')
        ), candidates AS (
            -- The top referrer is one with new referrals or the base's own top one:
            -- every other domain's total is what it was, at most the base top's.
            SELECT content_key, referrer_key, domain, referrals FROM referrals
            UNION ALL
            SELECT b.content_key, b.top_referrer_key, r.domain, b.top_referrals
            FROM report_cache_propagation AS b
            JOIN dim_referrer AS r ON r.referrer_key = b.top_referrer_key
            WHERE :base = 1
              AND NOT EXISTS (SELECT 1 FROM pairs AS p WHERE p.content_key = b.content_key AND p.referrer_key = b.top_referrer_key)
        ), top_counts AS (
            SELECT content_key, MAX(referrals) AS referrals FROM candidates GROUP BY content_key
        ), top_domains AS (
            -- Most referrals, ties to the first domain by name. An aggregate joined
            -- back, not ROW_NUMBER() OVER (…): SQLite indexes neither a window's result
            -- nor its join, and a LEFT JOIN scanned it once per content item (20,000
            -- referred pages: 65 s; this way 0.4 s).
            SELECT c.content_key, MIN(c.domain) AS domain, t.referrals
            FROM candidates AS c
            JOIN top_counts AS t ON t.content_key = c.content_key AND t.referrals = c.referrals
            GROUP BY c.content_key, t.referrals
        ), added_domains AS (
            SELECT content_key, SUM(added) AS added FROM referrals GROUP BY content_key
        ), items AS (
            SELECT i.content_key, i.first_view, i.views, i.first_social, i.first_news, i.first_search,
                   i.first_email, i.first_web_referral, i.first_click, i.clicks, i.first_share,
                   COALESCE(b.domain_count, 0) + COALESCE(a.added, 0) AS domain_count,
                   d.domain AS top_domain, d.referrals AS top_referrals
            FROM (SELECT content_key, MIN(first_view) AS first_view, SUM(views) AS views,
                         MIN(first_social) AS first_social, MIN(first_news) AS first_news,
                         MIN(first_search) AS first_search, MIN(first_email) AS first_email,
                         MIN(first_web_referral) AS first_web_referral,
                         MIN(first_click) AS first_click, SUM(clicks) AS clicks, MIN(first_share) AS first_share
                  FROM parts GROUP BY content_key) AS i
            LEFT JOIN report_cache_propagation AS b ON :base = 1 AND b.content_key = i.content_key
            LEFT JOIN added_domains AS a ON a.content_key = i.content_key
            LEFT JOIN top_domains AS d ON d.content_key = i.content_key
        )
        """

    static let sql = items + """
        , threads AS (
            -- The threads each item was shared in: the base's, and those of shares since.
            SELECT content_key, thread_root_key FROM report_cache_propagation_share WHERE :base = 1
            UNION
            SELECT content_key, thread_root_key FROM fact_group_activity
            WHERE content_key IS NOT NULL AND thread_root_key IS NOT NULL AND date_key BETWEEN :from AND :last
        ), thread_totals AS (
            -- Each thread's activities over the whole range: a share in an old thread
            -- brings the thread's earlier activity with it. The base keeps them per
            -- thread before `:from`; the days since are added from the facts.
            SELECT thread_root_key, SUM(activities) AS activities, MAX(max_depth) AS max_depth
            FROM (SELECT b.thread_root_key, b.activities, b.max_depth
                  FROM report_cache_propagation_thread AS b
                  WHERE :base = 1 AND b.thread_root_key IN (SELECT thread_root_key FROM threads)
                  UNION ALL
                  SELECT thread_root_key, SUM(activity_count), MAX(depth)
                  FROM fact_group_activity
                  WHERE thread_root_key IS NOT NULL AND date_key BETWEEN :from AND :last
                  GROUP BY thread_root_key) AS x
            GROUP BY thread_root_key
        ), cascades AS (
            SELECT t.content_key, SUM(x.activities) AS activities, MAX(x.max_depth) AS max_depth
            FROM threads AS t
            JOIN thread_totals AS x ON x.thread_root_key = t.thread_root_key
            GROUP BY t.content_key
        )
        SELECT c.url, i.first_view, i.first_click, i.first_share,
               i.first_social, i.first_news, i.first_search, i.first_email, i.first_web_referral,
               i.views, i.clicks, COALESCE(g.activities, 0), g.max_depth,
               i.domain_count, i.top_domain,
               -- The order of the file: most channels reached, then most activity, then URL.
               CASE WHEN i.first_view IS NULL THEN 0 ELSE 1 END + CASE WHEN i.first_click IS NULL THEN 0 ELSE 1 END
                 + CASE WHEN i.first_share IS NULL THEN 0 ELSE 1 END + CASE WHEN i.first_social IS NULL THEN 0 ELSE 1 END
                 + CASE WHEN i.first_news IS NULL THEN 0 ELSE 1 END + CASE WHEN i.first_search IS NULL THEN 0 ELSE 1 END
                 + CASE WHEN i.first_email IS NULL THEN 0 ELSE 1 END
                 + CASE WHEN i.first_web_referral IS NULL THEN 0 ELSE 1 END AS reached,
               i.views + i.clicks + COALESCE(g.activities, 0) AS total
        FROM items AS i
        JOIN dim_content AS c ON c.content_key = i.content_key
        LEFT JOIN cascades AS g ON g.content_key = i.content_key
        ORDER BY reached DESC, total DESC, c.url
        """

    /// The report's parameters: the range, and where the base ends (`scope.baseThrough`;
    /// without a base, every day is added up here).
    static func arguments(_ scope: ReportScope) -> [String: SQLValue] {
        var arguments = scope.range
        arguments["from"] = SQLValue(scope.propagationBaseThrough ?? scope.firstDay)
        arguments["base"] = SQLValue(scope.propagationBaseThrough == nil ? 0 : 1)
        return arguments
    }

    /// One row per page, handed to the sink as it is read (the rows come in the file's
    /// order: URLs compared byte by byte on both engines).
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        try sink.start(name: "propagation", columns: columns)
        try db.forEachRow(sql, arguments(scope)) { row in
            // First times per channel, in channelOrder.
            let firsts: [Int64?] = (1...8).map { row.value($0).int64 }
            let reachedChannels = zip(channelOrder, firsts)
                .enumerated()
                .compactMap { index, pair in pair.1.map { (time: $0, order: index, name: pair.0) } }
                .sorted { ($0.time, $0.order) < ($1.time, $1.order) }
            let firstSeen = reachedChannels.first?.time
            let firstNews = firsts[4]
            var hoursToNews: CSVTable.Cell = .empty
            if let firstNews, let firstSeen { hoursToNews = .decimal(Double(firstNews - firstSeen) / 3600, places: 1) }
            func instant(_ value: Int64?) -> CSVTable.Cell { value.map { .text(ReportQuery.isoInstant($0)) } ?? .empty }
            try sink.add([
                .text(row.text(0)), instant(firstSeen), instant(firsts[0]), instant(firsts[1]), instant(firsts[2]),
                instant(firsts[3]), instant(firstNews), hoursToNews,
                .text(reachedChannels.map(\.name).joined(separator: ">")), .integer(Int64(reachedChannels.count)),
                .integer(row.int64(9)), .integer(row.int64(10)), .integer(row.int64(11)),
                ReportQuery.cell(row.value(12), .integer), .integer(row.int64(13)), ReportQuery.cell(row.value(14), .text),
            ])
        }
    }
}
