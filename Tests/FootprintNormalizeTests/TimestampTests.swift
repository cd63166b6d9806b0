import Testing
import FootprintTestSupport
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

    /// Berlin skipped 02:00–03:00 on 2024-03-31: a naive time in that hour does not
    /// exist, and was read silently as standard time (an hour off). Rejected now; the
    /// hour repeated in October is read as its second (standard-time) occurrence, as before.
    @Test func aLocalTimeTheClocksSkipIsRejected() {
        #expect(Timestamps.parse("2024-03-31 02:30:00", zone: berlin)
                == .failure(.inGap("2024-03-31 02:30:00", zone: "Europe/Berlin")))
        #expect(Timestamps.parse("2024-03-31 01:59:59", zone: berlin) == .success(1_711_846_799))   // 00:59:59Z
        #expect(Timestamps.parse("2024-03-31 03:00:00", zone: berlin) == .success(1_711_846_800))   // 01:00:00Z
        #expect(Timestamps.parse("2024-10-27 02:30:00", zone: berlin) == .success(1_729_992_600))   // 01:30Z, the second 02:30
        #expect(Timestamps.parse("2024-03-31T02:30:00+02:00", zone: berlin) == .success(1_711_845_000)) // an offset is exact
        #expect(Timestamps.parse("2024-03-31 02:30:00", zone: .utc) == .success(1_711_852_200))
        #expect(TimestampError.inGap("2024-03-31 02:30:00", zone: "Europe/Berlin").description
                == "timestamp '2024-03-31 02:30:00' does not exist in Europe/Berlin (the clocks jumped over it for daylight saving time): the export's zone is probably not the configured timezone")
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

@Suite struct DecimalTextTests {
    /// Every value the fast path reads equals Double(_:) of the same text, bit for bit;
    /// what it leaves (signs, exponents, long numbers, stray text) is nil. 20,000 random
    /// decimals of up to 15 digits with the point anywhere, plus edge cases.
    @Test func plainDecimalsReadExactlyAsDoubleDoes() {
        var generator = SeededGenerator(seed: 7)
        var texts = ["0", "188", ".5", "0.1", "999999999999999", "0.00000000000001", "12.50", "00012"]
        for _ in 0..<20_000 {
            let length = Int.random(in: 1...15, using: &generator)
            var digits = String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            let point = Int.random(in: 0...length, using: &generator)
            if point < length { digits.insert(".", at: digits.index(digits.startIndex, offsetBy: point)) }
            texts.append(digits)
        }
        var mismatches = 0
        for text in texts {
            var bytes = text
            let fast = bytes.withUTF8 { DecimalText.value(of: $0) }
            guard let fast else { if !text.hasSuffix(".") { mismatches += 1 }; continue }
            if fast.bitPattern != Double(text)!.bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
        for other in ["", ".", "5.", "-1", "+2", "1e3", "1.2.3", "1,5", " 1", "1234567890123456", "nan", "inf"] {
            var bytes = other
            #expect(bytes.withUTF8 { DecimalText.value(of: $0) } == nil, "\(other)")
        }
    }
}
