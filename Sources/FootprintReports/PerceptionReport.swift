import FootprintOutput
import FootprintWarehouse

/// perception.csv — who we are against who we want to be: per period and tracked brand,
/// the group activities that mention the brand (`mentions`), and of those the ones that
/// also use one of the current positioning terms (`current_mentions`, e.g. "products")
/// or an aspired one (`aspired_mentions`, e.g. "services"). `aspired_share` is
/// aspired / (aspired + current), empty when both are 0. Competitors get the same
/// columns for the same terms, for comparison.
enum PerceptionReport {
    static func table(_ db: SQLConnection, scope: ReportScope, into sink: ReportSink) throws {
        let p = scope.period.labelColumn
        try ReportQuery.table(db, name: "perception", columns: [
            ("period", .text), ("entity", .text), ("mentions", .integer), ("current_mentions", .integer),
            ("aspired_mentions", .integer), ("aspired_share", .share),
        ], sql: """
            WITH brand_activity AS (
                SELECT d.\(p) AS period, m.brand_key, m.activity_key,
                       MAX(CASE WHEN t.stance = 'current' THEN 1 ELSE 0 END) AS has_current,
                       MAX(CASE WHEN t.stance = 'aspired' THEN 1 ELSE 0 END) AS has_aspired
                FROM fact_brand_mention AS m
                JOIN fact_group_activity AS f ON f.activity_key = m.activity_key
                JOIN dim_date AS d ON d.date_key = f.date_key
                LEFT JOIN fact_term_mention AS t ON t.activity_key = m.activity_key
                WHERE f.date_key BETWEEN :first AND :last
                GROUP BY d.\(p), m.brand_key, m.activity_key
            ), counts AS (
                SELECT period, brand_key, COUNT(*) AS mentions,
                       SUM(has_current) AS current_mentions, SUM(has_aspired) AS aspired_mentions
                FROM brand_activity
                GROUP BY period, brand_key
            ), periods AS (
                SELECT DISTINCT d.\(p) AS period
                FROM fact_group_activity AS f JOIN dim_date AS d ON d.date_key = f.date_key
                WHERE f.date_key BETWEEN :first AND :last
            )
            SELECT pe.period, b.name, COALESCE(c.mentions, 0), COALESCE(c.current_mentions, 0),
                   COALESCE(c.aspired_mentions, 0),
                   CAST(c.aspired_mentions AS DOUBLE PRECISION) / NULLIF(c.current_mentions + c.aspired_mentions, 0)
            FROM periods AS pe
            CROSS JOIN dim_brand AS b
            LEFT JOIN counts AS c ON c.period = pe.period AND c.brand_key = b.brand_key
            ORDER BY pe.period, COALESCE(c.mentions, 0) DESC, b.name
            """, arguments: scope.range, into: sink)
    }
}
