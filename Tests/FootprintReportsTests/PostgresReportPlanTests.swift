import Foundation
import Testing
import FootprintTestSupport
@testable import FootprintReports
@testable import FootprintWarehouse

/// Report SQL that a small fixture runs in no time can still be quadratic, or follow the
/// history rather than the night, on a large one. groups.csv counted our shares with
/// `IN (SELECT … FROM ours)` inside a sum, which PostgreSQL hashes only while the list fits
/// in work_mem and otherwise scans once per activity (10 million page views: over 8
/// minutes for one report); later it found responses to our shares by walking down from
/// every share of ours in the history, hashing every activity (2 million page views:
/// 0.3–0.4 s a night). The plan, taken with a work_mem no list fits in, for a day of 100
/// replies over a history of 20,000 posts, must read the history by key only: no
/// sequential scan of the activities, no subplan scanning a CTE.
@Suite(.enabled(if: TestPostgresServer.uri != nil, Comment(rawValue: TestPostgresServer.skipped)))
struct PostgresReportPlanTests {
    @Test func groupsReadsTheScopesActivitiesAndWhatIsAboveThemByKey() throws {
        try TestPostgresServer.withDatabase { conninfo in
            _ = try PostgresWarehouse(conninfo: conninfo)
            let pg = try PGConnection(conninfo)
            try pg.execute("""
                INSERT INTO dim_owned_host (host) VALUES ('acme.example');
                INSERT INTO dim_content (url, host) SELECT 'https://acme.example/p' || i, 'acme.example'
                FROM generate_series(1, 50) AS i;
                INSERT INTO dim_date (date_key, full_date, iso_week, month, quarter, year, previous_day, previous_week,
                    previous_month, previous_quarter)
                VALUES (20240501, '2024-05-01', '2024-W18', '2024-05', '2024-Q2', 2024, '2024-04-30', '2024-W17',
                        '2024-04', '2024-Q1'),
                       (20240502, '2024-05-02', '2024-W18', '2024-05', '2024-Q2', 2024, '2024-05-01', '2024-W17',
                        '2024-04', '2024-Q1');
                INSERT INTO fact_group_activity (source_hash, source_id, date_key, occurred_at, group_key, person_key,
                    action, content_key, activity_count, geo_key, title, body, load_file_id, thread_root_key, depth)
                SELECT i, 'a' || i, 20240501, i, 1 + i % 7, i % 900, 'post', 1 + i % 50, 1, 1, '', '', 1, i, 0
                FROM generate_series(1::bigint, 20000) AS i;
                INSERT INTO fact_group_activity (source_hash, source_id, date_key, occurred_at, group_key, person_key,
                    action, parent_source_id, parent_activity_key, activity_count, geo_key, title, body, load_file_id,
                    thread_root_key, depth)
                SELECT 100000 + i, 'r' || i, 20240502, 100000 + i, 1, 1000 + i, 'comment', 'a' || (i * 150), i * 150, 1, 1,
                       '', '', 1, i * 150, 1
                FROM generate_series(1::bigint, 100) AS i;
                ANALYZE;
                SET work_mem = '64kB';
                """)
            let sql = GroupsReport.sql(ReportScope(period: .month))
                .replacingOccurrences(of: ":first", with: "20240502").replacingOccurrences(of: ":last", with: "20240502")
            let lines = try pg.rows("EXPLAIN " + sql).compactMap { $0[0].text }
            let plan = lines.joined(separator: "\n")
            #expect(!plan.contains("Seq Scan on fact_group_activity"), "\(plan)")
            // A subplan's body follows its header: "SubPlan 10" then "->  CTE Scan on …".
            var subplansOverCTEs = 0
            for (header, body) in zip(lines, lines.dropFirst())
            where header.trimmingCharacters(in: .whitespaces).hasPrefix("SubPlan") && body.contains("CTE Scan on") {
                subplansOverCTEs += 1
            }
            #expect(subplansOverCTEs == 0, "\(plan)")
        }
    }

    /// A night's reports read the stale month of the sessionizer's summaries through
    /// their indexes by day (schema v10): keyed by visitor only, the visitor days (the web
    /// audience of geo, geo_city, engagement and bots), the topic visitor days (topics.csv)
    /// and the sessions (engagement.csv's returning visitors) were read whole every night,
    /// the history rather than the night. The plans, with statistics, for the last day of
    /// a history of 400 days.
    @Test func aNightReadsTheSessionizersSummariesOfItsDaysByDay() throws {
        try TestPostgresServer.withDatabase { conninfo in
            _ = try PostgresWarehouse(conninfo: conninfo)
            let pg = try PGConnection(conninfo)
            try pg.execute("""
                INSERT INTO dim_date (date_key, full_date, iso_week, month, quarter, year, previous_day, previous_week,
                    previous_month, previous_quarter, week_key, month_key, quarter_key)
                SELECT to_char(d, 'YYYYMMDD')::bigint, to_char(d, 'YYYY-MM-DD'), to_char(d, 'IYYY-"W"IW'), to_char(d, 'YYYY-MM'),
                       to_char(d, 'YYYY-"Q"Q'), extract(year FROM d)::bigint, to_char(d - 1, 'YYYY-MM-DD'),
                       to_char(d - 7, 'IYYY-"W"IW'), to_char(d - interval '1 month', 'YYYY-MM'),
                       to_char(d - interval '3 months', 'YYYY-"Q"Q'), to_char(d, 'IYYYIW')::bigint, to_char(d, 'YYYYMM')::bigint,
                       to_char(d, 'YYYYQ')::bigint
                FROM (SELECT day::date AS d FROM generate_series('2023-01-01'::date, '2024-02-04'::date, interval '1 day') AS day) AS g;
                INSERT INTO dim_property (name) VALUES ('blog');
                INSERT INTO agg_visitor_day (person_key, property_key, date_key, geo_key, views, engaged_total, engaged_views)
                SELECT v, 1, d.date_key, 1, 2, NULL, 0 FROM dim_date AS d CROSS JOIN generate_series(1, 500) AS v;
                INSERT INTO agg_topic_visitor_day (date_key, topic_key, person_key)
                SELECT d.date_key, 1, v FROM dim_date AS d CROSS JOIN generate_series(1, 500) AS v;
                INSERT INTO fact_session (person_key, property_key, date_key, started_at, ended_at, session_number, page_count,
                    referrer_key, landing_content_key)
                SELECT v, 1, d.date_key, 0, 0, 2, 2, 1, 1 FROM dim_date AS d CROSS JOIN generate_series(1, 500) AS v;
                ANALYZE;
                """)
            let scope = ReportScope(period: .month, firstDay: 20240204, lastDay: 20240204)
            func plan(_ sql: String) throws -> String {
                let night = sql.replacingOccurrences(of: ":first", with: "20240204").replacingOccurrences(of: ":last", with: "20240204")
                return try pg.rows("EXPLAIN " + night).compactMap { $0[0].text }.joined(separator: "\n")
            }
            let visitorDays = try plan(VisitorPeriods.visitorDaysSQL)
            #expect(visitorDays.contains("agg_visitor_day_by_day") && !visitorDays.contains("Seq Scan"), "\(visitorDays)")
            try WebAudience.prepare(pg, scope: scope)
            let engagement = try plan(EngagementReport.sql(scope))
            #expect(engagement.contains("fact_session_by_day") && !engagement.contains("Seq Scan on fact_session"), "\(engagement)")
            let topics = try plan(TopicsReport.sql(scope))
            #expect(topics.contains("agg_topic_visitor_day_by_day") && !topics.contains("Seq Scan on agg_topic_visitor_day"), "\(topics)")
        }
    }
}
