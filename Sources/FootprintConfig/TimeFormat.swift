/// A timestamp format written in the mapping, strftime-style, for exports that write
/// dates as people do (`8/4/2016 11:52` in a Hacker News CSV):
/// `{ path = "created_at", format = "%m/%d/%Y %H:%M" }`. A value read this way becomes a
/// naive `YYYY-MM-DD HH:MM:SS`, read in the configured time zone like any other.
///
/// Directives: `%Y` (four digits), `%y` (two: 70–99 → 19xx, else 20xx), `%m`, `%d`, `%H`,
/// `%I` with `%p` (AM/PM), `%M`, `%S` (numbers with or without a leading zero), `%b`
/// (Jan, Feb … any case), `%%`; any other character must appear as written.
public struct TimeFormat: Equatable, Sendable {
    enum Piece: Equatable, Sendable { case literal(UInt8), field(Character) }
    let pieces: [Piece]
    public let text: String

    static let directives: Set<Character> = ["Y", "y", "m", "d", "H", "I", "p", "M", "S", "b"]

    /// nil with the reason when the format cannot be used.
    public init(_ text: String) throws(ConfigError) {
        var pieces: [Piece] = []
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            if character == "%" {
                guard let directive = iterator.next() else {
                    throw ConfigError(keyPath: "", reason: "format '\(text)' ends with a lone %")
                }
                if directive == "%" { pieces.append(.literal(UInt8(ascii: "%"))); continue }
                guard Self.directives.contains(directive) else {
                    throw ConfigError(keyPath: "", reason: "format '\(text)' uses %\(directive); known: %Y %y %m %d %H %I %p %M %S %b %%")
                }
                pieces.append(.field(directive))
            } else {
                pieces.append(contentsOf: character.utf8.map(Piece.literal))
            }
        }
        let fields = Set(pieces.compactMap { if case .field(let d) = $0 { return d } else { return nil } })
        guard (fields.contains("Y") || fields.contains("y")) && (fields.contains("m") || fields.contains("b")) && fields.contains("d") else {
            throw ConfigError(keyPath: "", reason: "format '\(text)' needs a year (%Y or %y), a month (%m or %b) and a day (%d)")
        }
        guard fields.contains("I") == fields.contains("p") else {
            throw ConfigError(keyPath: "", reason: "format '\(text)': %I (12-hour clock) and %p (AM/PM) go together")
        }
        self.pieces = pieces
        self.text = text
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `value` as `YYYY-MM-DD HH:MM:SS`, or nil when it does not follow the format.
    public func normalize(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        var i = 0
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        var pm: Bool?
        func number(_ maxDigits: Int) -> Int? {
            var digits = 0, result = 0
            while i < bytes.count, digits < maxDigits, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                result = result * 10 + Int(bytes[i] - 0x30); i += 1; digits += 1
            }
            return digits > 0 ? result : nil
        }
        for piece in pieces {
            switch piece {
            case .literal(let byte):
                guard i < bytes.count, bytes[i] == byte else { return nil }
                i += 1
            case .field(let directive):
                switch directive {
                case "Y": guard let v = number(4) else { return nil }; year = v
                case "y": guard let v = number(2) else { return nil }; year = v >= 70 ? 1900 + v : 2000 + v
                case "m": guard let v = number(2) else { return nil }; month = v
                case "d": guard let v = number(2) else { return nil }; day = v
                case "H", "I": guard let v = number(2) else { return nil }; hour = v
                case "M": guard let v = number(2) else { return nil }; minute = v
                case "S": guard let v = number(2) else { return nil }; second = v
                case "b":
                    guard i + 3 <= bytes.count,
                          let index = Self.months.firstIndex(of: String(decoding: bytes[i..<(i + 3)], as: UTF8.self).lowercased()) else { return nil }
                    month = index + 1; i += 3
                case "p":
                    guard i + 2 <= bytes.count else { return nil }
                    let marker = String(decoding: bytes[i..<(i + 2)], as: UTF8.self).uppercased()
                    guard marker == "AM" || marker == "PM" else { return nil }
                    pm = marker == "PM"; i += 2
                default: return nil
                }
            }
        }
        guard i == bytes.count else { return nil }
        if let pm {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (pm ? 12 : 0)
        }
        guard (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59, second <= 60 else { return nil }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let paddedYear = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(paddedYear)-\(two(month))-\(two(day)) \(two(hour)):\(two(minute)):\(two(second))"
    }
}
