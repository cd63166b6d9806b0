import GRDB

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
    public static func fill(_ db: Database, periodColumn: String, firstDay: Int, lastDay: Int) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE report_web_totals (
                period_key INTEGER NOT NULL, property_key INTEGER NOT NULL, views INTEGER NOT NULL,
                visitors INTEGER NOT NULL, engaged_total REAL, engaged_views INTEGER NOT NULL,
                PRIMARY KEY (period_key, property_key)) WITHOUT ROWID;
            CREATE TEMP TABLE report_web_places (
                period_key INTEGER NOT NULL, property_key INTEGER NOT NULL, geo_key INTEGER NOT NULL,
                views INTEGER NOT NULL, visitors INTEGER NOT NULL,
                PRIMARY KEY (period_key, property_key, geo_key)) WITHOUT ROWID;
            CREATE TEMP TABLE report_web_countries (
                period_key INTEGER NOT NULL, property_key INTEGER NOT NULL, country_code TEXT NOT NULL,
                views INTEGER NOT NULL, visitors INTEGER NOT NULL,
                PRIMARY KEY (period_key, property_key, country_code)) WITHOUT ROWID;
            """)
        guard let connection = db.sqliteConnection else { return }
        var sorted = try sortedVisitorDays(connection, periodColumn: periodColumn, firstDay: firstDay, lastDay: lastDay)
        let countries = try CountryIndex(connection)
        let writer = try BlockWriter(connection, countryCodes: countries.codes)
        var block = PeriodBlock(countryCount: countries.codes.count)
        while let row = try sorted.next() {
            if row.period != block.period || row.property != block.property {
                try writer.write(block)
                block.start(period: row.period, property: row.property)
            }
            block.add(row, country: countries.index(ofGeo: row.geo))
        }
        try writer.write(block)
    }

    /// agg_visitor_day's rows in the chosen days, each with its period, sorted.
    private static func sortedVisitorDays(_ connection: OpaquePointer, periodColumn: String,
                                          firstDay: Int, lastDay: Int) throws -> SortedRows<VisitorPeriodDay> {
        var periodOfDay: [Int64: Int64] = [:]
        let days = try SQLiteStatement(connection: connection, sql: """
            SELECT date_key, \(periodColumn) FROM dim_date WHERE date_key BETWEEN ?1 AND ?2
            """)
        days.bind(1, firstDay); days.bind(2, lastDay)
        while try days.step() { periodOfDay[days.int64(0)] = days.int64(1) }
        days.reset()
        let visitorDays = try SQLiteStatement(connection: connection, sql: """
            SELECT person_key, property_key, date_key, geo_key, views, engaged_total, engaged_views
            FROM agg_visitor_day WHERE date_key BETWEEN ?1 AND ?2
            """)
        visitorDays.bind(1, firstDay); visitorDays.bind(2, lastDay)
        defer { visitorDays.reset() }
        var sorter = ExternalSorter<VisitorPeriodDay>()
        while try visitorDays.step() {
            guard let period = periodOfDay[visitorDays.int64(2)] else { continue }
            try sorter.append(VisitorPeriodDay(
                period: period, property: visitorDays.int64(1), person: visitorDays.int64(0), geo: visitorDays.int64(3),
                views: visitorDays.int64(4), engagedTotal: visitorDays.double(5) ?? .nan, engagedViews: visitorDays.int64(6)))
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

    init(_ connection: OpaquePointer) throws {
        var numbers: [String: Int] = [:]
        func number(of code: String) -> Int {
            if let known = numbers[code] { return known }
            codes.append(code)
            numbers[code] = codes.count - 1
            return codes.count - 1
        }
        let places = try SQLiteStatement(connection: connection, sql: "SELECT geo_key, country_code FROM dim_geography")
        defer { places.reset() }
        while try places.step() { countryOfGeo[places.int64(0)] = number(of: places.text(1)) }
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

/// Writes a finished block's rows into the three tables.
private struct BlockWriter {
    private let totals, places, countries: SQLiteStatement
    private let countryCodes: [String]

    init(_ connection: OpaquePointer, countryCodes: [String]) throws {
        self.countryCodes = countryCodes
        totals = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO temp.report_web_totals (period_key, property_key, views, visitors, engaged_total, engaged_views)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        places = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO temp.report_web_places (period_key, property_key, geo_key, views, visitors) VALUES (?, ?, ?, ?, ?)
            """)
        countries = try SQLiteStatement(connection: connection, sql: """
            INSERT INTO temp.report_web_countries (period_key, property_key, country_code, views, visitors)
            VALUES (?, ?, ?, ?, ?)
            """)
    }

    func write(_ block: PeriodBlock) throws {
        guard !block.isEmpty else { return }
        totals.bind(1, block.period); totals.bind(2, block.property); totals.bind(3, block.views)
        totals.bind(4, block.visitors); totals.bind(5, block.engagedTotal); totals.bind(6, block.engagedViews)
        try totals.execute()
        for (geo, counts) in block.places.sorted(by: { $0.key < $1.key }) {
            places.bind(1, block.period); places.bind(2, block.property); places.bind(3, geo)
            places.bind(4, counts.views); places.bind(5, counts.visitors)
            try places.execute()
        }
        for (number, views) in block.countryViews.enumerated() where views > 0 || block.countryVisitors[number] > 0 {
            countries.bind(1, block.period); countries.bind(2, block.property)
            countries.bind(3, countryCodes[number])
            countries.bind(4, views); countries.bind(5, block.countryVisitors[number])
            try countries.execute()
        }
    }
}
