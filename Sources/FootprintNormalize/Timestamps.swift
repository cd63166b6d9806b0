/// Reads the timestamp forms of CONTRACT.md section 1 into UTC epoch seconds:
/// ISO 8601 with `Z` or an offset, naive `YYYY-MM-DD HH:MM:SS` (read in the configured
/// zone), and Unix epoch seconds, milliseconds (13 digits) or microseconds (16 digits).
public enum Timestamps {
    /// Earliest and latest instants accepted: 1970 … 2100. Outside that, a value is
    /// nearly always a unit mix-up (microseconds, days) and should be rejected loudly.
    public static let range: ClosedRange<Int64> = 0...4_102_444_800

    public static func parse(_ raw: String, zone: ZoneClock) -> Result<Int64, TimestampError> {
        var text = raw.trimmingASCIIWhitespace()
        if text.isEmpty { return .failure(.empty) }
        // Read in place: copying the bytes into an array cost an allocation per row.
        return text.withUTF8 { parse(trimmedBytes: $0, zone: zone) }
    }

    /// `parse` of a value's UTF-8 bytes, already trimmed (a CSV field read in place).
    public static func parse(trimmedBytes bytes: UnsafeBufferPointer<UInt8>, zone: ZoneClock) -> Result<Int64, TimestampError> {
        if bytes.isEmpty { return .failure(.empty) }
        let value: Int64?
        if bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }) && !bytes.dropFirst().contains(0x2D) {
            value = parseEpoch(bytes)
        } else {
            var inGap = false
            value = parseISO(bytes, zone: zone, inGap: &inGap)
            if inGap { return .failure(.inGap(String(decoding: bytes, as: UTF8.self), zone: zone.identifier)) }
        }
        guard let seconds = value else { return .failure(.unreadable(String(decoding: bytes, as: UTF8.self))) }
        guard range.contains(seconds) else { return .failure(.outOfRange(String(decoding: bytes, as: UTF8.self))) }
        return .success(seconds)
    }

    private static func parseEpoch(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var negative = false
        var integer: Int64 = 0
        var digits = 0
        var index = 0
        if bytes.first == 0x2D { negative = true; index = 1 }
        while index < bytes.count, bytes[index] != 0x2E {
            integer = integer &* 10 &+ Int64(bytes[index] - 0x30)
            digits += 1
            index += 1
            if digits > 18 { return nil }
        }
        if index < bytes.count { // fraction: only digits may follow the point
            if bytes[(index + 1)...].contains(0x2E) || index + 1 == bytes.count { return nil }
        }
        if digits == 0 { return nil }
        if negative { integer = -integer }
        // 10 digits are seconds (until 2286), 13 milliseconds, 16 microseconds (GA4).
        switch digits {
        case 16...: return integer / 1_000_000
        case 13...: return integer / 1000
        default: return integer
        }
    }

    private static func parseISO(_ b: UnsafeBufferPointer<UInt8>, zone: ZoneClock, inGap: inout Bool) -> Int64? {
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var value = 0
            for k in i..<(i + width) {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                value = value * 10 + Int(b[k] - 0x30)
            }
            i += width
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            if i < b.count && b[i] == byte { i += 1; return true }
            return false
        }
        guard let year = number(4), take(0x2D), let month = number(2), take(0x2D), let day = number(2),
              let date = CivilDate(year: year, month: month, day: day) else { return nil }
        var secondsOfDay = 0
        if i < b.count {
            guard take(0x54) || take(0x20) || take(0x74) else { return nil } // 'T', ' ', 't'
            guard let hour = number(2), hour <= 23, take(0x3A), let minute = number(2), minute <= 59 else { return nil }
            var second = 0
            if take(0x3A) {
                guard let s = number(2), s <= 60 else { return nil }
                second = min(s, 59) // a leap second is read as :59
                if take(0x2E) || take(0x2C) {
                    let start = i
                    while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
                    if i == start { return nil }
                }
            }
            secondsOfDay = hour * 3600 + minute * 60 + second
        }
        let local = Int64(date.daysSinceEpoch) * 86400 + Int64(secondsOfDay)
        if i == b.count {
            guard let utc = zone.exactUTCSeconds(fromLocal: local) else { inGap = true; return nil }
            return utc
        }
        if take(0x5A) || take(0x7A) { return i == b.count ? local : nil } // 'Z'
        if i + 1 < b.count && b[i] == 0x20 && (b[i + 1] == 0x2B || b[i + 1] == 0x2D) { i += 1 }
        guard i < b.count, b[i] == 0x2B || b[i] == 0x2D else { return nil }
        let sign: Int64 = b[i] == 0x2D ? -1 : 1
        i += 1
        guard let offsetHours = number(2), offsetHours <= 18 else { return nil }
        var offsetMinutes = 0
        if i < b.count {
            _ = take(0x3A)
            guard let m = number(2), m <= 59 else { return nil }
            offsetMinutes = m
        }
        guard i == b.count else { return nil }
        return local - sign * Int64(offsetHours * 3600 + offsetMinutes * 60)
    }
}

public enum TimestampError: Error, Equatable, CustomStringConvertible {
    case empty
    case unreadable(String)
    case outOfRange(String)
    /// A naive local time the zone skips (spring forward).
    case inGap(String, zone: String)

    public var description: String {
        switch self {
        case .inGap(let text, let zone):
            return "timestamp '\(text)' does not exist in \(zone) (the clocks jumped over it for daylight saving time): the export's zone is probably not the configured timezone"
        case .empty: return "timestamp is empty"
        case .unreadable(let text):
            return "timestamp '\(text)' is not ISO 8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds/milliseconds (or names a day that does not exist)"
        case .outOfRange(let text):
            return "timestamp '\(text)' is outside 1970–2100 (microseconds or a wrong unit?)"
        }
    }
}

extension Result {
    public var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
