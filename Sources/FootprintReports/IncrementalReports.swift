import FootprintConfig
import FootprintInput
import FootprintNormalize
import FootprintOutput
import FootprintWarehouse

/// Every report, recomputing only the periods that new data can have changed since the
/// last run and taking the others from the warehouse's report cache (ReportCache.swift
/// says what makes a period stale). The files are byte for byte those of a full
/// computation: every report but propagation.csv orders its rows by period first, so a
/// file is its header and its periods' lines one after another.
///
/// The reports that compare a period with the scope's rows of the one before
/// (attention, impact) compute the stale periods together with the one before the first
/// of them, and that period's rows are dropped: the cache already has them. The others
/// start at the first stale period.
public enum IncrementalReports {
    /// Part of the settings cached rows are computed with: change it whenever a report's
    /// SQL or columns change, so that rows of older code are not used.
    static let revision = "2026-12-05 groups walks up from the scope"
    /// Reports whose rows are not per period: always computed whole (propagation.csv
    /// from its base: PropagationBase).
    static let whole: Set<String> = ["propagation.csv"]
    /// Reports whose rows for a period read the scope's rows of the period before:
    /// computed from the period before the first stale one. The rest read their own
    /// period's days (vips.csv reaches back to the period before by itself); computing
    /// the period before for them too was about half of a night's report work, for
    /// rows that were dropped. IncrementalReportsTests fails without either of these.
    static let comparing: Set<String> = ["attention.csv", "impact.csv"]

    /// Computes what is stale, stores it in the report cache, and returns the report
    /// files ready to be written (`ReportFiles`): nothing of a report is held in memory
    /// but a period's lines while they go into the cache.
    public static func compute(from warehouse: WarehouseEngine, scope: ReportScope,
                               config: FootprintConfig) throws -> ReportFiles {
        let settings = digest(config: config, scope: scope)
        let keys = try warehouse.lastFactKeys()
        let cache = try warehouse.reportCache(settings: settings)
        // The first stale period and the days to compute from (its own first day, and
        // that of the period before it); nil when nothing is stale.
        var stale: StalePeriod? = StalePeriod(period: "", firstDay: scope.firstDay, firstDayBefore: scope.firstDay)
        if let cache {
            stale = try firstStalePeriod(warehouse, from: cache.staleFrom, scope: scope)
        }
        func from(_ day: Int?) -> ReportScope {
            var narrowed = scope
            narrowed.firstDay = max(scope.firstDay, day ?? scope.firstDay)
            return narrowed
        }
        let own = from(stale?.firstDay), withBefore = from(stale?.firstDayBefore)
        // propagation.csv's base ends at the first stale period; with nothing cached,
        // at the last period with data, so that the next night finds it made.
        let baseUpTo = cache == nil ? try lastPeriod(warehouse, scope: scope).map { from($0.firstDay).firstDay }
                                    : stale.map { _ in own.firstDay }
        let spread = try Trace.timed("propagation base") {
            try warehouse.writing { db in
                var spread = scope
                spread.propagationBaseThrough = try PropagationBase.prepare(db, settings: settings, scope: scope, upTo: baseUpTo,
                                                                            tracked: cache != nil)
                return spread
            }
        }
        let names = stale == nil ? Reports.fileNames.filter(whole.contains) : Reports.fileNames
        let spooled = try Reports.compute(names, from: warehouse, scope: own,
                                          scopeOf: { whole.contains($0) ? spread : comparing.contains($0) ? withBefore : own },
                                          sink: { try SpooledReport(whole: whole.contains($0)) }, finish: { $0 })
        let files = ReportFiles(warehouse: warehouse, firstStale: stale?.period,
                                fresh: Dictionary(uniqueKeysWithValues: zip(names, spooled)))
        if let stale {
            try warehouse.storeReportCache(settings: settings, firstPeriod: cache == nil ? nil : stale.period, keys: keys) { add in
                for name in Reports.fileNames where !whole.contains(name) {
                    guard let report = files.fresh[name] else { continue }
                    // The header is cached as the period "" (before every label).
                    if stale.period.isEmpty { try add(name, "", report.header) }
                    for period in report.periods where period.label >= stale.period {
                        try add(name, period.label, try report.text(of: period))
                    }
                }
            }
        }
        return files
    }

    /// The reports of a run, ready to be written. A report is its cached periods before
    /// the first stale one, read from the database a period at a time, then its fresh
    /// periods from the first stale one on (the header first when nothing was cached),
    /// copied from where they were spooled; a report without periods is its fresh rows.
    /// The cache already holds the fresh periods (`compute` stored them), and what lies
    /// before the first stale period was left as it was.
    public final class ReportFiles {
        /// Every report, in `Reports.fileNames` order.
        public let names = Reports.fileNames
        private let warehouse: WarehouseEngine
        /// The first stale period's label; nil when nothing was stale.
        private let firstStale: String?
        fileprivate let fresh: [String: SpooledReport]

        fileprivate init(warehouse: WarehouseEngine, firstStale: String?, fresh: [String: SpooledReport]) {
            self.warehouse = warehouse
            self.firstStale = firstStale
            self.fresh = fresh
        }

        /// Writes the report `name` (no byte order mark) into `out`.
        public func write(_ name: String, to out: OutputFile) throws {
            if let report = fresh[name], whole.contains(name) {
                try out.write(report.header)
                for period in report.periods { try report.copy(period, to: out) }
                return
            }
            try warehouse.forEachCachedPeriod(of: name, before: firstStale) { try out.write($0) }
            if let report = fresh[name], let firstStale {
                if firstStale.isEmpty { try out.write(report.header) }
                for period in report.periods where period.label >= firstStale { try report.copy(period, to: out) }
            }
        }
    }

    /// The first period whose rows are recomputed, its first day, and the first day of
    /// the period before it.
    struct StalePeriod {
        let period: String
        let firstDay, firstDayBefore: Int
    }

    /// The period holding `day` (or the first day with data after it).
    static func firstStalePeriod(_ warehouse: WarehouseEngine, from day: Int, scope: ReportScope) throws -> StalePeriod? {
        let label = scope.period.labelColumn, previous = scope.period.previousLabelColumn
        return try warehouse.reading { db in
            var found: (period: String, before: String)?
            try db.forEachRow("""
                SELECT \(label) AS period, \(previous) AS previous FROM dim_date WHERE date_key >= :day ORDER BY date_key LIMIT 1
                """, ["day": SQLValue(day)]) { row in found = (row.text(0), row.text(1)) }
            guard let found else { return nil }
            func firstDay(of period: String) throws -> Int? {
                try db.value("SELECT MIN(date_key) FROM dim_date WHERE \(label) = :period", ["period": .text(period)]).int64.map { Int($0) }
            }
            let first = try firstDay(of: found.period) ?? day
            return StalePeriod(period: found.period, firstDay: first, firstDayBefore: try firstDay(of: found.before) ?? first)
        }
    }

    /// The last period of the scope with data.
    static func lastPeriod(_ warehouse: WarehouseEngine, scope: ReportScope) throws -> StalePeriod? {
        let day = try warehouse.reading { db in
            try db.value("SELECT MAX(date_key) FROM dim_date WHERE date_key BETWEEN :first AND :last", scope.range).int64
        }
        return try day.flatMap { try firstStalePeriod(warehouse, from: Int($0), scope: scope) }
    }

    /// What cached rows are computed with: every setting of the config (its dictionaries
    /// in sorted order, so that the same config gives the same digest), the scope and the
    /// report code's revision. Hashed: the config holds the hash key.
    static func digest(config: FootprintConfig, scope: ReportScope) -> String {
        let text = [revision, canonical(config), canonical(scope)].joined(separator: "\n")
        return SHA256.hash(Array(text.utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func canonical(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .dictionary?, .set?:
            return "{" + mirror.children.map { canonical($0.value) }.sorted().joined(separator: ",") + "}"
        case _ where mirror.children.isEmpty:
            return String(describing: value)
        default:
            return "\(mirror.subjectType)(" + mirror.children.map { "\($0.label ?? ""):\(canonical($0.value))" }.joined(separator: ",") + ")"
        }
    }
}
