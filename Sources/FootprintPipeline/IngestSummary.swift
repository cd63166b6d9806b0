import FootprintWarehouse

/// What an ingest did, file by file, for the human summary and `--json`.
public struct IngestSummary: Codable, Sendable {
    public enum Status: String, Codable, Sendable { case loaded, skipped, failed }

    public struct FileOutcome: Codable, Sendable {
        public var path: String
        public var status: Status
        /// For a skipped file: the earlier path with the same content. For a failed one: why.
        public var note: String?
        public var result: FileLoadResult?
        public var seconds: Double
    }

    public struct KindTotals: Codable, Sendable, Equatable {
        public var files = 0
        public var read = 0
        public var loaded = 0
        public var duplicate = 0
        public var rejected = 0
        public var skipped = 0
    }

    public var files: [FileOutcome] = []
    public var seconds: Double = 0
    /// Time spent after loading on sessions, thread depths and brand mentions.
    public var derivedSeconds: Double = 0

    public var totalsByKind: [String: KindTotals] {
        var totals: [String: KindTotals] = [:]
        for file in files {
            guard let result = file.result else { continue }
            var entry = totals[result.kind] ?? KindTotals()
            entry.files += 1
            entry.read += result.read
            entry.loaded += result.loaded
            entry.duplicate += result.duplicate
            entry.rejected += result.rejected
            entry.skipped += result.skipped
            totals[result.kind] = entry
        }
        return totals
    }

    public var rowsRejected: Int { files.reduce(0) { $0 + ($1.result?.rejected ?? 0) } }
    public var filesFailed: Int { files.filter { $0.status == .failed }.count }
    /// Some input did not load: rows rejected or whole files unreadable.
    public var hasProblems: Bool { rowsRejected > 0 || filesFailed > 0 }
}
