import FootprintOutput
import FootprintWarehouse

/// geo.csv and geo_city.csv — where each channel's audience is: page views per web
/// property (`web:<property>`), short-link clicks (`clicks`) and group activity by the
/// actor's country (`groups`, weighted by each row's count). `people` is distinct
/// visitors or actors (empty for clicks, which carry no person). `share` is within
/// channel and period; `index_vs_site` divides it by the same country's share of the
/// `site` property: above 1 the channel over-reaches that country compared to the site.
enum GeoReports {
    /// The events of every channel grouped by period, channel and the given geography
    /// columns (`country_code, country_name` or with `region, city`). `webEvents` gives
    /// the page views' rows: they are grouped on integer keys first, and only the few
    /// resulting rows are joined to their names (grouping a million rows by text was
    /// most of these reports' time).
    private static func channelEvents(period p: String, geography: String, webEvents: String) -> String {
        """
        events AS (
            \(webEvents)
            UNION ALL
            SELECT x.period, 'clicks', \(geography), SUM(x.events), NULL
            FROM (SELECT d.\(p) AS period, c.geo_key, SUM(c.events) AS events
                  FROM (SELECT date_key, geo_key, COUNT(*) AS events FROM fact_click
                        WHERE date_key BETWEEN :first AND :last GROUP BY date_key, geo_key) AS c
                  JOIN dim_date AS d ON d.date_key = c.date_key
                  GROUP BY d.\(p), c.geo_key) AS x
            JOIN dim_geography AS g ON g.geo_key = x.geo_key
            GROUP BY x.period, \(geography)
            UNION ALL
            SELECT d.\(p), 'groups', \(geography), SUM(f.activity_count), COUNT(DISTINCT f.person_key)
            FROM fact_group_activity AS f
            JOIN dim_date AS d ON d.date_key = f.date_key
            JOIN dim_geography AS g ON g.geo_key = f.geo_key
            WHERE f.date_key BETWEEN :first AND :last
            GROUP BY d.\(p), \(geography)
        ), shares AS (
            SELECT events.*, CAST(events AS DOUBLE PRECISION) / NULLIF(SUM(events) OVER (PARTITION BY period, channel), 0) AS share
            FROM events
        )
        """
    }

    /// Page views and distinct visitors per period, property and country (a visitor seen
    /// in two cities of one country counts once), counted by VisitorPeriods.
    private static let webCountries = """
        SELECT rp.period, 'web:' || pr.name AS channel, x.country_code, cn.country_name, x.views AS events, x.visitors AS people
        FROM report_web_countries AS x
        JOIN report_periods AS rp ON rp.period_key = x.period_key
        JOIN dim_property AS pr ON pr.property_key = x.property_key
        JOIN (SELECT country_code, MIN(country_name) AS country_name FROM dim_geography GROUP BY country_code) AS cn
          ON cn.country_code = x.country_code
        """

    /// Page views and distinct visitors per period, property and place.
    private static let webCities = """
        SELECT rp.period, 'web:' || pr.name AS channel, g.country_code, g.region, g.city, x.views AS events, x.visitors AS people
        FROM report_web_places AS x
        JOIN report_periods AS rp ON rp.period_key = x.period_key
        JOIN dim_property AS pr ON pr.property_key = x.property_key
        JOIN dim_geography AS g ON g.geo_key = x.geo_key
        """

    static func countries(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        try ReportQuery.table(db, name: "geo", columns: [
            ("period", .text), ("channel", .text), ("country_code", .text), ("country_name", .text),
            ("events", .integer), ("people", .integer), ("share", .share), ("index_vs_site", .share),
        ], sql: """
            WITH \(channelEvents(period: scope.period.labelColumn, geography: "g.country_code, g.country_name", webEvents: webCountries))
            SELECT s.period, s.channel, s.country_code, s.country_name, s.events, s.people, s.share,
                   s.share / NULLIF(site.share, 0) AS index_vs_site
            FROM shares AS s
            LEFT JOIN shares AS site
              ON site.period = s.period AND site.channel = 'web:site' AND site.country_code = s.country_code
            ORDER BY s.period, s.channel, s.events DESC, s.country_code
            """, arguments: scope.range, into: sink)
    }

    static func cities(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        try ReportQuery.table(db, name: "geo_city", columns: [
            ("period", .text), ("channel", .text), ("country_code", .text), ("region", .text), ("city", .text),
            ("events", .integer), ("people", .integer), ("share", .share),
        ], sql: """
            WITH \(channelEvents(period: scope.period.labelColumn, geography: "g.country_code, g.region, g.city", webEvents: webCities))
            SELECT period, channel, country_code, region, city, events, people, share
            FROM shares
            ORDER BY period, channel, events DESC, country_code, region, city
            """, arguments: scope.range, into: sink)
    }
}
