import FootprintNormalize

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

extension WarehouseEngine {
    public func recordRun(_ run: RunRecord) throws {
        try writing { db in
            try db.execute("""
                INSERT INTO runs (command, started_at, finished_at, exit_status, files_loaded, files_skipped, files_failed,
                    rows_read, rows_loaded, rows_duplicate, rows_rejected, reports_written, summary_json)
                VALUES (:command, :started, :finished, :status, :filesLoaded, :filesSkipped, :filesFailed, :read, :loaded,
                    :duplicate, :rejected, :reports, :json)
                """, ["command": .text(run.command), "started": .integer(run.startedAt), "finished": .integer(run.finishedAt),
                      "status": SQLValue(run.exitStatus), "filesLoaded": SQLValue(run.filesLoaded),
                      "filesSkipped": SQLValue(run.filesSkipped), "filesFailed": SQLValue(run.filesFailed),
                      "read": SQLValue(run.rowsRead), "loaded": SQLValue(run.rowsLoaded), "duplicate": SQLValue(run.rowsDuplicate),
                      "rejected": SQLValue(run.rowsRejected), "reports": SQLValue(run.reportsWritten), "json": .text(run.summaryJSON)])
        }
    }

    public func recentRuns(limit: Int) throws -> [RunRecord] {
        try reading { db in
            try db.rows("""
                SELECT command, started_at, finished_at, exit_status, files_loaded, files_skipped, files_failed, rows_read,
                       rows_loaded, rows_duplicate, rows_rejected, reports_written, summary_json
                FROM runs ORDER BY run_id DESC LIMIT :limit
                """, ["limit": SQLValue(limit)]).map { row in
                func int(_ i: Int) -> Int { Int(row[i].int64 ?? 0) }
                var run = RunRecord(command: row[0].text ?? "", startedAt: row[1].int64 ?? 0, finishedAt: row[2].int64 ?? 0,
                                    exitStatus: int(3))
                run.filesLoaded = int(4); run.filesSkipped = int(5); run.filesFailed = int(6)
                run.rowsRead = int(7); run.rowsLoaded = int(8); run.rowsDuplicate = int(9)
                run.rowsRejected = int(10); run.reportsWritten = int(11)
                run.summaryJSON = row[12].text ?? "{}"
                return run
            }
        }
    }

    public func freshness() throws -> [KindFreshness] {
        try reading { db in
            let newest: [String: Int64?] = [
                "web": try db.value("SELECT MAX(viewed_at) FROM fact_page_view").int64,
                "clicks": try db.value("SELECT MAX(clicked_at) FROM fact_click").int64,
                "groups": try db.value("SELECT MAX(occurred_at) FROM fact_group_activity").int64,
                "subscribers": try db.value("""
                    SELECT CASE WHEN MAX(subscribed_at) >= COALESCE(MAX(unsubscribed_at), 0) THEN MAX(subscribed_at)
                                ELSE MAX(unsubscribed_at) END
                    FROM fact_subscription
                    """).int64,
                // A day, not an instant: its start in UTC.
                "outcomes": try db.value("SELECT MAX(date_key) FROM fact_outcome").int64
                    .flatMap { CivilDate(key: Int($0)) }.map { Int64($0.daysSinceEpoch) * 86400 },
            ]
            var byKind: [String: KindFreshness] = [:]
            for row in try db.rows("""
                SELECT kind, COUNT(*) AS files, SUM(rows_loaded) AS rows_loaded, MAX(finished_at) AS last_loaded_at
                FROM load_files GROUP BY kind
                """) {
                let kind = row[0].text ?? ""
                byKind[kind] = KindFreshness(kind: kind, files: Int(row[1].int64 ?? 0), rowsLoaded: Int(row[2].int64 ?? 0),
                                             lastLoadedAt: row[3].int64, newestEventAt: newest[kind] ?? nil)
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
