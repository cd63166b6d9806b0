import Testing
@testable import FootprintNormalize

@Suite struct TimestampTests {
    let berlin = ZoneClock(identifier: "Europe/Berlin")!

    @Test(arguments: [
        ("2024-05-01T10:00:00Z", 1_714_557_600),
        ("2024-05-01T10:00:00.123Z", 1_714_557_600),
        ("2024-05-01T12:00:00+02:00", 1_714_557_600),
        ("2024-05-01T12:00:00+0200", 1_714_557_600),
        ("2024-05-01T05:30:00-04:30", 1_714_557_600),
        ("2024-05-01 10:00:00", 1_714_557_600),      // naive: read in UTC here
        ("2024-05-01T10:00", 1_714_557_600),
        ("2024-05-01", 1_714_521_600),
        ("1714557600", 1_714_557_600),               // epoch seconds
        ("1714557600123", 1_714_557_600),            // epoch milliseconds
        ("  1714557600  ", 1_714_557_600),
    ])
    func readsEveryContractFormInUTC(text: String, expected: Int64) {
        #expect(Timestamps.parse(text, zone: .utc) == .success(expected))
    }

    @Test func naiveTimesAreReadInTheConfiguredZone() {
        // Berlin is UTC+2 in May (summer time) and UTC+1 in January.
        #expect(Timestamps.parse("2024-05-01 12:00:00", zone: berlin) == .success(1_714_557_600))
        #expect(Timestamps.parse("2024-01-15 12:00:00", zone: berlin) == .success(1_705_316_400))
        // An explicit offset wins over the zone.
        #expect(Timestamps.parse("2024-05-01T10:00:00Z", zone: berlin) == .success(1_714_557_600))
    }

    @Test(arguments: ["2024-02-30 10:00:00", "2023-02-29", "2024-13-01", "2024-05-01T25:00:00Z", "yesterday",
                      "2024-05-01T10:00:00+99:00", "12.5.2024"])
    func rejectsImpossibleOrUnknownForms(text: String) {
        guard case .failure(.unreadable) = Timestamps.parse(text, zone: .utc) else {
            Issue.record("\(text) should be unreadable"); return
        }
    }

    @Test func rejectsInstantsOutsideTheSaneRange() {
        #expect(Timestamps.parse("1714557600123456", zone: .utc) == .success(1_714_557_600)) // microseconds (GA4)
        #expect(Timestamps.parse("17145576001234567", zone: .utc) == .failure(.outOfRange("17145576001234567")))
        #expect(Timestamps.parse("", zone: .utc) == .failure(.empty))
    }

    @Test func localDaysFollowTheZone() {
        // 2024-03-31T22:30:00Z is already April 1st in Berlin (UTC+2 after the DST switch).
        #expect(berlin.localDate(ofUTC: 1_711_924_200).key == 20240401)
        #expect(ZoneClock.utc.localDate(ofUTC: 1_711_924_200).key == 20240331)
    }

    @Test(arguments: [
        (20241230, 2025, 1), (20210103, 2020, 53), (20240101, 2024, 1), (20240501, 2024, 18), (20261122, 2026, 47),
    ])
    func isoWeeksStartOnMonday(key: Int, year: Int, week: Int) {
        let date = CivilDate(key: key)!
        #expect(date.isoWeek.year == year)
        #expect(date.isoWeek.week == week)
    }
}
