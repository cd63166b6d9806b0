import Foundation

/// The configured time zone, answering the two questions the pipeline asks millions of
/// times: "which local day is this instant?" and "which instant is this naive local
/// time?". Offsets are cached per UTC hour, since they only change on hour boundaries
/// in every real zone.
public final class ZoneClock: @unchecked Sendable {
    public let identifier: String
    private let zone: TimeZone
    private let isUTC: Bool
    private var offsetByHour: [Int64: Int64] = [:]

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
        self.isUTC = zone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)) == 0
            && zone.secondsFromGMT(for: Date(timeIntervalSince1970: 1_720_000_000)) == 0
            && zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: 0)) == nil
    }

    public static let utc = ZoneClock(identifier: "UTC")!

    /// Seconds to add to UTC to get local time, at a UTC instant.
    public func offset(atUTC seconds: Int64) -> Int64 {
        if isUTC { return 0 }
        let hour = seconds >= 0 ? seconds / 3600 : (seconds - 3599) / 3600
        if let cached = offsetByHour[hour] { return cached }
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(hour * 3600))))
        if offsetByHour.count > 100_000 { offsetByHour.removeAll() }
        offsetByHour[hour] = offset
        return offset
    }

    /// The local calendar day of a UTC instant.
    public func localDate(ofUTC seconds: Int64) -> CivilDate {
        let local = seconds + offset(atUTC: seconds)
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        return CivilDate(daysSinceEpoch: Int(days))
    }

    /// The UTC instant of a naive local time. In a DST gap the later offset applies; in
    /// an overlap the later (standard-time) instant is chosen.
    public func utcSeconds(fromLocal local: Int64) -> Int64 {
        if isUTC { return local }
        let guess = local - offset(atUTC: local - offset(atUTC: local))
        let settled = offset(atUTC: guess)
        return local - settled
    }

    /// The UTC instant of a naive local time, or nil when that local time does not exist
    /// (the clocks jumped over it for daylight saving time): a timestamp read from an
    /// export must not be moved silently by an hour.
    public func exactUTCSeconds(fromLocal local: Int64) -> Int64? {
        let utc = utcSeconds(fromLocal: local)
        return utc + offset(atUTC: utc) == local ? utc : nil
    }

    /// UTC instant of local midnight starting a day.
    public func startOfDay(_ date: CivilDate) -> Int64 {
        utcSeconds(fromLocal: Int64(date.daysSinceEpoch) * 86400)
    }
}
