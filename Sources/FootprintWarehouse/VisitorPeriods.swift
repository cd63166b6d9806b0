
/// The web audience per period, counted from the visitor-day summary for the reports
/// (geo, geo_city, engagement, bots) into three small temporary tables:
///
/// - `temp.report_web_totals` (period_key, property_key, views, visitors, engaged_total,
///   engaged_views): per period and property;
/// - `temp.report_web_places` (period_key, property_key, geo_key, views, visitors): per
///   place (country, region, city);
/// - `temp.report_web_countries` (period_key, property_key, country_code, views,
///   visitors): per country, a visitor seen in two cities of it counted once.
///
/// `visitors` are distinct and exact. Why not SQL: counting distinct visitors made
/// SQLite sort the 1.1 million visitor days of scripts/bench (by period, property and
/// place, then again by country), 3.7 s of the reports' 4.2 s. Here the visitor days
/// are sorted once as plain structs (ExternalSorter), by period, property, visitor and
/// place, so that each visitor's rows are adjacent and every count is one ordered pass.
public enum VisitorPeriods {
    /// Creates and fills the three tables for the days from `firstDay` to `lastDay`; a
    /// day's period is dim_date's `periodColumn` (an integer period number).
    public static func fill(_ db: SQLConnection, periodColumn: String, firstDay: Int, lastDay: Int) throws {
        let withoutRowID = db.engine == .sqlite ? " WITHOUT ROWID" : ""
        // Bytewise order, as the star schema's text (SQLite's default; PostgreSQL's "C").
        let text = db.engine == .sqlite ? "TEXT" : "TEXT COLLATE \"C\""
        try db.execute("""
            CREATE TEMP TABLE report_web_totals (
                period_key BIGINT NOT NULL, property_key BIGINT NOT NULL, views BIGINT NOT NULL,
                visitors BIGINT NOT NULL, engaged_total DOUBLE PRECISION, engaged_views BIGINT NOT NULL,
                PRIMARY KEY (period_key, property_key))\(withoutRowID);
            CREATE TEMP TABLE report_web_places (
                period_key BIGINT NOT NULL, property_key BIGINT NOT NULL, geo_key BIGINT NOT NULL,
                views BIGINT NOT NULL, visitors BIGINT NOT NULL,
                PRIMARY KEY (period_key, property_key, geo_key))\(withoutRowID);
            CREATE TEMP TABLE report_web_countries (
                period_key BIGINT NOT NULL, property_key BIGINT NOT NULL, country_code \(text) NOT NULL,
                views BIGINT NOT NULL, visitors BIGINT NOT NULL,
                PRIMARY KEY (period_key, property_key, country_code))\(withoutRowID);
            """)
        var sorted = try sortedVisitorDays(db, periodColumn: periodColumn, firstDay: firstDay, lastDay: lastDay)
        let countries = try CountryIndex(db)
        var writer = BlockWriter(countryCodes: countries.codes)
        var block = PeriodBlock(countryCount: countries.codes.count)
        while let row = try sorted.next() {
            if row.period != block.period || row.property != block.property {
                try writer.write(block, into: db)
                block.start(period: row.period, property: row.property)
            }
            block.add(row, country: countries.index(ofGeo: row.geo))
        }
        try writer.write(block, into: db)
        try writer.insert(into: db)
    }

    /// agg_visitor_day's rows from `:first` to `:last` (PostgresReportPlanTests checks that
    /// a night reads its days by index, not the whole history).
    static let visitorDaysSQL = """
        SELECT person_key, property_key, date_key, geo_key, views, engaged_total, engaged_views
        FROM agg_visitor_day WHERE date_key BETWEEN :first AND :last
        """

    /// agg_visitor_day's rows in the chosen days, each with its period, sorted.
    private static func sortedVisitorDays(_ db: SQLConnection, periodColumn: String,
                                          firstDay: Int, lastDay: Int) throws -> SortedRows<VisitorPeriodDay> {
        var periodOfDay: [Int64: Int64] = [:]
        let range: [String: SQLValue] = ["first": SQLValue(firstDay), "last": SQLValue(lastDay)]
        try db.forEachRow("SELECT date_key, \(periodColumn) FROM dim_date WHERE date_key BETWEEN :first AND :last", range) { row in
            periodOfDay[row.int64(0)] = row.int64(1)
        }
        var sorter = ExternalSorter<VisitorPeriodDay>()
        try db.forEachRow(visitorDaysSQL, range) { row in
            guard let period = periodOfDay[row.int64(2)] else { return }
            try sorter.append(VisitorPeriodDay(
                period: period, property: row.int64(1), person: row.int64(0), geo: row.int64(3),
                views: row.int64(4), engagedTotal: row.double(5) ?? .nan, engagedViews: row.int64(6)))
        }
        return try sorter.sorted()
    }
}

/// One visitor day with its period, ordered by period, property, visitor, then place.
struct VisitorPeriodDay: Comparable, BitwiseCopyable {
    var period, property, person, geo, views: Int64
    /// NaN when none of the day's views gave engaged time.
    var engagedTotal: Double
    var engagedViews: Int64

    static func < (a: VisitorPeriodDay, b: VisitorPeriodDay) -> Bool {
        (a.period, a.property, a.person, a.geo) < (b.period, b.property, b.person, b.geo)
    }

    static func == (a: VisitorPeriodDay, b: VisitorPeriodDay) -> Bool {
        (a.period, a.property, a.person, a.geo) == (b.period, b.property, b.person, b.geo)
    }
}

/// Countries numbered 0..<n, and each place's country number.
private struct CountryIndex {
    private(set) var codes: [String] = []
    private var countryOfGeo: [Int64: Int] = [:]
    private var unknown = 0

    init(_ db: SQLConnection) throws {
        var numbers: [String: Int] = [:]
        func number(of code: String) -> Int {
            if let known = numbers[code] { return known }
            codes.append(code)
            numbers[code] = codes.count - 1
            return codes.count - 1
        }
        try db.forEachRow("SELECT geo_key, country_code FROM dim_geography", [:]) { row in
            countryOfGeo[row.int64(0)] = number(of: row.text(1))
        }
        unknown = number(of: "ZZ")
    }

    /// A place missing from dim_geography cannot happen (facts take their keys from
    /// it); it would count as ZZ (unknown) rather than stop the report.
    func index(ofGeo geo: Int64) -> Int { countryOfGeo[geo] ?? unknown }
}

/// The counts of one period and property, built in one pass over its sorted rows.
private struct PeriodBlock {
    var period: Int64 = -1, property: Int64 = -1
    var views: Int64 = 0, visitors: Int64 = 0, engagedViews: Int64 = 0
    var engagedTotal: Double? = nil
    /// Per place: views and visitors.
    var places: [Int64: (views: Int64, visitors: Int64)] = [:]
    /// Per country number: views and visitors.
    var countryViews: [Int64], countryVisitors: [Int64]
    /// The visitor and place of the previous row, and the countries that visitor was
    /// already counted in (usually one).
    private var lastPerson: Int64 = -1, lastGeo: Int64 = -1
    private var personCountries: [Int] = []

    init(countryCount: Int) {
        countryViews = Array(repeating: 0, count: countryCount)
        countryVisitors = Array(repeating: 0, count: countryCount)
    }

    var isEmpty: Bool { period < 0 }

    mutating func start(period: Int64, property: Int64) {
        self = PeriodBlock(countryCount: countryViews.count)
        self.period = period
        self.property = property
    }

    mutating func add(_ row: VisitorPeriodDay, country: Int) {
        let newPerson = row.person != lastPerson
        let newPlace = newPerson || row.geo != lastGeo
        if newPerson { visitors += 1; personCountries.removeAll(keepingCapacity: true) }
        views += row.views
        engagedViews += row.engagedViews
        if !row.engagedTotal.isNaN { engagedTotal = (engagedTotal ?? 0) + row.engagedTotal }
        var place = places[row.geo] ?? (0, 0)
        place.views += row.views
        if newPlace { place.visitors += 1 }
        places[row.geo] = place
        countryViews[country] += row.views
        if !personCountries.contains(country) {
            personCountries.append(country)
            countryVisitors[country] += 1
        }
        lastPerson = row.person
        lastGeo = row.geo
    }
}

/// Gathers finished blocks' rows for the three tables, inserted 10,000 at a time (one
/// statement or COPY per table each time; held whole, a report by day over many
/// places would hold every row).
private struct BlockWriter {
    private let countryCodes: [String]
    private var totals: [[SQLValue]] = [], places: [[SQLValue]] = [], countries: [[SQLValue]] = []

    init(countryCodes: [String]) { self.countryCodes = countryCodes }

    mutating func write(_ block: PeriodBlock, into db: SQLConnection) throws {
        guard !block.isEmpty else { return }
        let period = SQLValue.integer(block.period), property = SQLValue.integer(block.property)
        totals.append([period, property, .integer(block.views), .integer(block.visitors),
                       block.engagedTotal.map { .real($0) } ?? .null, .integer(block.engagedViews)])
        for (geo, counts) in block.places.sorted(by: { $0.key < $1.key }) {
            places.append([period, property, .integer(geo), .integer(counts.views), .integer(counts.visitors)])
        }
        for (number, views) in block.countryViews.enumerated() where views > 0 || block.countryVisitors[number] > 0 {
            countries.append([period, property, .text(countryCodes[number]), .integer(views), .integer(block.countryVisitors[number])])
        }
        if totals.count + places.count + countries.count >= 10_000 { try insert(into: db) }
    }

    mutating func insert(into db: SQLConnection) throws {
        try db.insert(into: "report_web_totals", columns: ["period_key", "property_key", "views", "visitors", "engaged_total", "engaged_views"],
                      rows: totals)
        try db.insert(into: "report_web_places", columns: ["period_key", "property_key", "geo_key", "views", "visitors"], rows: places)
        try db.insert(into: "report_web_countries", columns: ["period_key", "property_key", "country_code", "views", "visitors"],
                      rows: countries)
        totals.removeAll(keepingCapacity: true); places.removeAll(keepingCapacity: true); countries.removeAll(keepingCapacity: true)
    }
}
