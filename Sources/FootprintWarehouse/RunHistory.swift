import FootprintNormalize
import GRDB

/// What `footprint status` shows: recent runs, and how fresh the data of each kind is.
public struct RunRecord: Codable, Equatable, Sendable {
    public var command: String
    public var startedAt: Int64
    public var finishedAt: Int64
    public var exitStatus: Int
    public var filesLoaded = 0, filesSkipped = 0, filesFailed = 0
    public var rowsRead = 0, rowsLoaded = 0, rowsDuplicate = 0, rowsRejected = 0
    public var reportsWritten = 0
    public var summaryJSON = "{}"

    public init(command: String, startedAt: Int64, finishedAt: Int64, exitStatus: Int) {
        self.command = command; self.startedAt = startedAt; self.finishedAt = finishedAt; self.exitStatus = exitStatus
    }
}

public struct KindFreshness: Codable, Equatable, Sendable {
    public var kind: String
    public var files: Int
    public var rowsLoaded: Int
    /// When the newest file of this kind finished loading (UTC epoch seconds).
    public var lastLoadedAt: Int64?
    /// The newest event timestamp loaded for this kind (UTC epoch seconds).
    public var newestEventAt: Int64?
}

extension Warehouse {
    public func recordRun(_ run: RunRecord) throws {
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO runs (command, started_at, finished_at, exit_status, files_loaded, files_skipped, files_failed,
                    rows_read, rows_loaded, rows_duplicate, rows_rejected, reports_written, summary_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.command, run.startedAt, run.finishedAt, run.exitStatus, run.filesLoaded,
                                 run.filesSkipped, run.filesFailed, run.rowsRead, run.rowsLoaded, run.rowsDuplicate,
                                 run.rowsRejected, run.reportsWritten, run.summaryJSON])
        }
    }

    public func recentRuns(limit: Int) throws -> [RunRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY run_id DESC LIMIT ?", arguments: [limit]).map { row in
                var run = RunRecord(command: row["command"], startedAt: row["started_at"], finishedAt: row["finished_at"],
                                    exitStatus: row["exit_status"])
                run.filesLoaded = row["files_loaded"]; run.filesSkipped = row["files_skipped"]; run.filesFailed = row["files_failed"]
                run.rowsRead = row["rows_read"]; run.rowsLoaded = row["rows_loaded"]; run.rowsDuplicate = row["rows_duplicate"]
                run.rowsRejected = row["rows_rejected"]; run.reportsWritten = row["reports_written"]
                run.summaryJSON = row["summary_json"]
                return run
            }
        }
    }

    public func freshness() throws -> [KindFreshness] {
        try queue.read { db in
            let newest: [String: Int64?] = [
                "web": try Int64.fetchOne(db, sql: "SELECT MAX(viewed_at) FROM fact_page_view"),
                "clicks": try Int64.fetchOne(db, sql: "SELECT MAX(clicked_at) FROM fact_click"),
                "groups": try Int64.fetchOne(db, sql: "SELECT MAX(occurred_at) FROM fact_group_activity"),
                "subscribers": try Int64.fetchOne(db, sql: "SELECT MAX(MAX(subscribed_at), COALESCE(MAX(unsubscribed_at), 0)) FROM fact_subscription"),
                // A day, not an instant: its start in UTC.
                "outcomes": try Int.fetchOne(db, sql: "SELECT MAX(date_key) FROM fact_outcome")
                    .flatMap(CivilDate.init(key:)).map { Int64($0.daysSinceEpoch) * 86400 },
            ]
            let rows = try Row.fetchAll(db, sql: """
                SELECT kind, COUNT(*) AS files, SUM(rows_loaded) AS rows_loaded, MAX(finished_at) AS last_loaded_at
                FROM load_files GROUP BY kind
                """)
            var byKind: [String: KindFreshness] = [:]
            for row in rows {
                let kind: String = row["kind"]
                byKind[kind] = KindFreshness(kind: kind, files: row["files"], rowsLoaded: row["rows_loaded"],
                                             lastLoadedAt: row["last_loaded_at"], newestEventAt: newest[kind] ?? nil)
            }
            // The kinds of CONTRACT.md section 5 only once a database has them.
            return ["web", "clicks", "groups", "subscribers", "outcomes"].compactMap {
                if let known = byKind[$0] { return known }
                if $0 == "subscribers" || $0 == "outcomes" { return nil }
                return KindFreshness(kind: $0, files: 0, rowsLoaded: 0, lastLoadedAt: nil, newestEventAt: nil)
            }
        }
    }
}
