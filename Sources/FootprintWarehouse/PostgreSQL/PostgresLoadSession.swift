import Foundation
import FootprintConfig
import FootprintNormalize
import FootprintStaging

/// Loads files into the star schema on PostgreSQL, each file in its own transaction,
/// with the same outcome as the SQLite loader (LoadSession): a file's rows are read =
/// loaded + duplicate + rejected + skipped, a row whose identity was loaded before is a
/// duplicate (a subscription seen again with its end fills that in), keys come from
/// the same dimensions.
///
/// How: the file's canonical events are copied (COPY, in blocks of ~4 MB) into
/// temporary staging tables (PostgresStage); then, per dimension, the members not yet
/// there are added in order of first appearance (INSERT … SELECT … ON CONFLICT DO
/// NOTHING), and the facts are inserted joined to their keys, in line order, skipping
/// identities already loaded (ON CONFLICT (source_hash) DO NOTHING).
public final class PostgresLoadSession {
    private let pg: PGConnection
    private let zone: ZoneClock
    private let names: PropertyNames
    private let classifier: ReferrerClassifier
    public let personHasher: PersonHasher
    /// Days already in dim_date (from this session's committed files).
    private var knownDays: Set<Int> = []
    /// Dedupe keys other than `source_hash` (on a Citus cluster: CitusDistribution).
    private let dedupeKeys: [String: [String]]

    init(pg: PGConnection, config: FootprintConfig, zone: ZoneClock, hashKey: [UInt8]) throws {
        self.pg = pg
        self.zone = zone
        names = PropertyNames(names: config.properties)
        var overrides: [String: ReferrerCategory] = [:]
        for (domain, name) in config.referrers { overrides[domain] = ReferrerCategory(rawValue: name) }
        classifier = ReferrerClassifier(overrides: overrides, ownedHosts: Array(config.properties.keys))
        personHasher = PersonHasher(key: hashKey)
        let distributed = try CitusDistribution.isDistributed(pg)
        dedupeKeys = distributed ? CitusDistribution.dedupeKeys : [:]
        // Citus runs a statement on the coordinator's own shards "locally", and then
        // refuses a parallel one in the same transaction (ANALYZE of a staging table,
        // a multi-shard insert): a load goes through connections throughout.
        if distributed { try pg.execute("SET citus.enable_local_execution TO off") }
        try PostgresStage.create(on: pg)
    }

    /// The path a file with this content was loaded from before, if any (LoadFiles).
    public func loadedFile(withSHA256 sha: String) throws -> String? {
        try LoadFiles.loadedPath(pg, sha256: sha)
    }

    public func load(_ file: StagedFileReader, path: String, sha256: String, replacing: Bool = false,
                     progress: ((LoadProgress) throws -> Void)? = nil) throws -> FileLoadResult {
        var result = FileLoadResult(path: path, kind: file.kind.rawValue, format: file.format.rawValue)
        let reader = BackgroundStager(reader: file)
        defer { reader.cancel() }
        let startedAt = Int64(Date().timeIntervalSince1970)
        var days: Set<Int> = []
        var newDays: [CivilDate] = []
        var filtered = FilteredTrafficCounts()
        let buffers = Dictionary(uniqueKeysWithValues: PostgresStage.tables.map {
            ($0.name, CopyBuffer(table: $0.name, columns: $0.columns.map(\.0)))
        })
        let rejects = CopyBuffer(table: "load_rejects", columns: ["load_file_id", "line", "reason", "raw_text"])
        try pg.execute("BEGIN")
        do {
            // Sorting a file's rows by line (and grouping them per dimension) spilled to
            // disk with the default 4 MB; 256 MB holds a million rows. (JIT is off for
            // every connection: PGConnection.)
            try pg.execute("SET LOCAL work_mem = '256MB'")
            try PostgresStage.empty(on: pg)
            let fileID = try LoadFiles.begin(pg, path: path, sha256: sha256, kind: file.kind.rawValue, format: file.format.rawValue,
                                             replacing: replacing, startedAt: startedAt)
            func day(_ date: CivilDate) {
                if days.insert(date.key).inserted && !knownDays.contains(date.key) { newDays.append(date) }
            }
            /// The filtered-traffic counts so far into stage_filtered (a key counted again
            /// later gets a second row: reports add them up).
            func stageFiltered() throws {
                var rows: [[SQLValue]] = []
                for (key, hits) in filtered.sorted {
                    let date = key.bucket.map { zone.localDate(ofUTC: $0) }
                    if let date { day(date) }
                    let property: SQLValue = file.kind == .web && !key.host.isEmpty ? .text(names.property(ofHost: key.host)) : .null
                    rows.append([.text(file.kind.rawValue), .text(key.cause.rawValue), .text(key.source), property,
                                 date.map { SQLValue($0.key) } ?? .null, key.bucket.map { .integer($0) } ?? .null, SQLValue(hits)])
                }
                try pg.insert(into: "stage_filtered", columns: PostgresStage.columns(of: "stage_filtered"), rows: rows)
                filtered = FilteredTrafficCounts()
            }
            // Staged rows are numbered in file order (PostgresStage: `line`): a line can
            // hold several records (a JSON array on one line).
            var ordinal = 0
            try StagedRows.read(reader, of: file, path: path, into: &result, progress: progress,
                                event: { _, event in
                ordinal += 1
                let staged = PostgresStage.row(event, ordinal: ordinal, names: names, classifier: classifier)
                staged.days.forEach(day)
                try buffers[staged.table]!.append(staged.values, to: pg)
            }, filtered: { traffic in
                filtered.count(traffic)
                if filtered.isFull { try stageFiltered() }
            }, rejected: { line, reason, raw in
                try rejects.append([.integer(fileID), SQLValue(line), .text(reason), .text(raw)], to: pg)
            })
            try stageFiltered()
            // Every day into dim_date (filtered traffic's days too).
            for date in newDays { try buffers["stage_date"]!.append(PostgresStage.dateRow(date), to: pg) }
            for buffer in buffers.values { try buffer.flush(to: pg) }
            try rejects.flush(to: pg)
            try pg.execute("""
                INSERT INTO dim_date SELECT * FROM stage_date ORDER BY date_key ON CONFLICT (date_key) DO NOTHING
                """)
            // Temporary tables are never analysed by autovacuum: without statistics the
            // planner takes a staged file for a few rows and joins it row by row.
            for (table, buffer) in buffers where buffer.count > 0 { try pg.execute("ANALYZE \(table)") }
            let counts = try PostgresFactLoad(pg: pg, fileID: fileID, dedupeKeys: dedupeKeys).run(staged: buffers.mapValues(\.count))
            result.loaded = counts.loaded
            result.duplicate = counts.duplicate
            result.withoutCountry = file.rowsWithoutCountry
            result.unresolvedIP = file.rowsWithUnresolvedIP
            try pg.execute("""
                INSERT INTO dim_property (name)
                SELECT property FROM stage_filtered WHERE property IS NOT NULL GROUP BY property ORDER BY property
                ON CONFLICT DO NOTHING;
                INSERT INTO fact_filtered_traffic (load_file_id, kind, cause, source, property_key, date_key, bucket_at, hits)
                SELECT \(fileID), s.kind, s.cause, s.source, p.property_key, s.date_key, s.bucket_at, s.hits
                FROM stage_filtered AS s LEFT JOIN dim_property AS p ON p.name = s.property
                """)
            try LoadFiles.finish(pg, fileID: fileID, result)
            try pg.execute("COMMIT")
        } catch {
            try? pg.execute("ROLLBACK")
            throw error
        }
        knownDays.formUnion(days)
        return result
    }
}
