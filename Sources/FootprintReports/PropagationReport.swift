import FootprintOutput
import FootprintWarehouse

/// propagation.csv — how each content item (canonical URL) travelled within the
/// report's date range: when it first got an owned page view, a short-link click, a
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

    static let sql = """
        WITH pairs AS (
            -- Per item and referrer, the first view and the count, from the loader's
            -- daily summary of page views (agg_page_view_referral), not every view.
            SELECT content_key, referrer_key, MIN(first_viewed_at) AS first_at, SUM(views) AS views
            FROM agg_page_view_referral WHERE date_key BETWEEN :first AND :last
            GROUP BY content_key, referrer_key
        ), views AS (
            -- Views and the first referral of each kind, in one pass over the pairs.
            SELECT p.content_key, MIN(p.first_at) AS first_at, SUM(p.views) AS views,
                   MIN(CASE WHEN r.category = 'social' THEN p.first_at END) AS first_social,
                   MIN(CASE WHEN r.category = 'news' THEN p.first_at END) AS first_news,
                   MIN(CASE WHEN r.category = 'search' THEN p.first_at END) AS first_search,
                   MIN(CASE WHEN r.category = 'email' THEN p.first_at END) AS first_email,
                   MIN(CASE WHEN r.category = 'web' THEN p.first_at END) AS first_web_referral
            FROM pairs AS p
            JOIN dim_referrer AS r ON r.referrer_key = p.referrer_key
            GROUP BY p.content_key
        ), clicks AS (
            SELECT content_key, MIN(clicked_at) AS first_at, COUNT(*) AS clicks
            -- `+date_key`: not through fact_click_by_day, which lacks clicked_at (a table
            -- lookup per click took 0.67 s against a 0.28 s scan on scripts/bench).
            FROM fact_click WHERE +date_key BETWEEN :first AND :last
            GROUP BY content_key
        ), shares AS (
            SELECT content_key, MIN(occurred_at) AS first_at
            FROM fact_group_activity
            WHERE content_key IS NOT NULL AND date_key BETWEEN :first AND :last
            GROUP BY content_key
        ), threads AS (
            SELECT DISTINCT content_key, thread_root_key
            FROM fact_group_activity
            WHERE content_key IS NOT NULL AND date_key BETWEEN :first AND :last
        ), cascades AS (
            SELECT t.content_key, SUM(a.activity_count) AS activities, MAX(a.depth) AS max_depth
            FROM threads AS t
            JOIN fact_group_activity AS a ON a.thread_root_key = t.thread_root_key
            WHERE a.date_key BETWEEN :first AND :last
            GROUP BY t.content_key
        ), domains AS (
            -- A referrer is one domain (dim_referrer.domain is unique): a pair is an item
            -- and a domain already, with no second grouping (100,000 pairs at 2 million
            -- page views: a sort of them all on PostgreSQL).
            SELECT p.content_key, r.domain, p.views AS referrals
            FROM pairs AS p
            JOIN dim_referrer AS r ON r.referrer_key = p.referrer_key
            WHERE r.category NOT IN ('direct', 'owned')
        ), domain_counts AS (
            SELECT content_key, COUNT(*) AS domain_count, MAX(referrals) AS top_referrals
            FROM domains GROUP BY content_key
        ), top_domains AS (
            -- The top referrer: most referrals, ties to the first domain by name. An
            -- aggregate joined back, not ROW_NUMBER() OVER (…): SQLite indexes neither a
            -- window's result nor its join, and the LEFT JOIN below scanned it once per
            -- content item (20,000 referred pages: 65 s; this way 0.4 s).
            SELECT d.content_key, n.domain_count, MIN(d.domain) AS domain
            FROM domains AS d
            JOIN domain_counts AS n ON n.content_key = d.content_key AND n.top_referrals = d.referrals
            GROUP BY d.content_key, n.domain_count
        )
        SELECT c.url, v.first_at, k.first_at, s.first_at,
               v.first_social, v.first_news, v.first_search, v.first_email, v.first_web_referral,
               COALESCE(v.views, 0), COALESCE(k.clicks, 0), COALESCE(g.activities, 0), g.max_depth,
               COALESCE(d.domain_count, 0), d.domain,
               -- The order of the file: most channels reached, then most activity, then URL.
               CASE WHEN v.first_at IS NULL THEN 0 ELSE 1 END + CASE WHEN k.first_at IS NULL THEN 0 ELSE 1 END
                 + CASE WHEN s.first_at IS NULL THEN 0 ELSE 1 END + CASE WHEN v.first_social IS NULL THEN 0 ELSE 1 END
                 + CASE WHEN v.first_news IS NULL THEN 0 ELSE 1 END + CASE WHEN v.first_search IS NULL THEN 0 ELSE 1 END
                 + CASE WHEN v.first_email IS NULL THEN 0 ELSE 1 END
                 + CASE WHEN v.first_web_referral IS NULL THEN 0 ELSE 1 END AS reached,
               COALESCE(v.views, 0) + COALESCE(k.clicks, 0) + COALESCE(g.activities, 0) AS total
        FROM dim_content AS c
        LEFT JOIN views AS v ON v.content_key = c.content_key
        LEFT JOIN clicks AS k ON k.content_key = c.content_key
        LEFT JOIN shares AS s ON s.content_key = c.content_key
        LEFT JOIN cascades AS g ON g.content_key = c.content_key
        LEFT JOIN top_domains AS d ON d.content_key = c.content_key
        WHERE v.content_key IS NOT NULL OR k.content_key IS NOT NULL OR s.content_key IS NOT NULL
        ORDER BY reached DESC, total DESC, c.url
        """

    /// `asText`: the rows as CSV lines (`CSVTable.encodedRows`), not cells: the file has a
    /// row per page, and the rows come in the file's order (URLs compared byte by byte on
    /// both engines), so each is written as it is read.
    static func table(_ db: SQLConnection, scope: ReportScope, asText: Bool = false) throws -> CSVTable {
        var table = CSVTable(name: "propagation", columns: columns)
        // Lines gathered in pieces of about a megabyte and joined once: one string grown
        // line by line holds its old and its doubled buffer at once (78 MB at 26 MB).
        var pieces: [String] = [], piece = ""
        try db.forEachRow(sql, scope.range) { row in
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
            let cells: [CSVTable.Cell] = [
                .text(row.text(0)), instant(firstSeen), instant(firsts[0]), instant(firsts[1]), instant(firsts[2]),
                instant(firsts[3]), instant(firstNews), hoursToNews,
                .text(reachedChannels.map(\.name).joined(separator: ">")), .integer(Int64(reachedChannels.count)),
                .integer(row.int64(9)), .integer(row.int64(10)), .integer(row.int64(11)),
                ReportQuery.cell(row.value(12), .integer), .integer(row.int64(13)), ReportQuery.cell(row.value(14), .text),
            ]
            if asText {
                piece += CSVEncoder.line(cells)
                if piece.utf8.count >= 1 << 20 { pieces.append(piece); piece = "" }
            } else {
                table.rows.append(cells)
            }
        }
        if asText { table.encodedRows = (pieces + [piece]).joined() }
        return table
    }
}
