/// Normalises country values to ISO 3166-1 alpha-2: codes (alpha-2 or alpha-3, any case)
/// and English names (ISO short names, common names and a few everyday aliases).
/// Anything else, and empty values, become `ZZ` — the user-assigned "unknown" code.
public enum Countries {
    public static let unknown = "ZZ"

    public static func code(for raw: String) -> String {
        let trimmed = raw.trimmingASCIIWhitespace()
        if trimmed.isEmpty { return unknown }
        if trimmed.utf8.count == 2 || trimmed.utf8.count == 3 {
            if let code = byCode[trimmed.uppercased()] { return code }
        }
        return byName[nameKey(trimmed)] ?? unknown
    }

    /// The English display name of an alpha-2 code ("Unknown" for ZZ).
    public static func name(for code: String) -> String {
        names[code] ?? "Unknown"
    }

    /// Lower-cased, with punctuation and "the " dropped, so "Korea, Republic of",
    /// "the Netherlands" and "NETHERLANDS" find their entries.
    static func nameKey(_ name: String) -> String {
        var key = String(name.lowercased().unicodeScalars.filter { $0 == " " || $0.properties.isAlphabetic }.map(Character.init))
        if key.hasPrefix("the ") { key.removeFirst(4) }
        return key.split(separator: " ").joined(separator: " ")
    }

    private static let everydayAliases: [String: String] = [
        "UK": "GB", "Great Britain": "GB", "Britain": "GB", "England": "GB", "Scotland": "GB", "Wales": "GB",
        "USA": "US", "United States of America": "US", "America": "US", "US": "US",
        "Russia": "RU", "Vietnam": "VN", "Czech Republic": "CZ", "Ivory Coast": "CI",
        "Turkey": "TR", "Holland": "NL", "Macedonia": "MK", "Swaziland": "SZ", "Burma": "MM",
        "North Korea": "KP", "Syria": "SY", "Taiwan": "TW", "Tanzania": "TZ", "Venezuela": "VE",
        "Cape Verde": "CV", "Brunei": "BN", "Vatican": "VA", "Palestine": "PS", "Micronesia": "FM",
        "Korea": "KR", "Hong Kong SAR": "HK", "Macau": "MO", "UAE": "AE",
        // Names exports write in the country's own language.
        "Deutschland": "DE", "Österreich": "AT", "Schweiz": "CH", "Suisse": "CH", "Svizzera": "CH",
        "España": "ES", "Italia": "IT", "Nederland": "NL", "België": "BE", "Belgique": "BE",
        "Brasil": "BR", "México": "MX", "Polska": "PL", "Sverige": "SE", "Norge": "NO", "Danmark": "DK",
        "Suomi": "FI", "Česko": "CZ", "Magyarország": "HU", "Türkiye": "TR", "Ελλάδα": "GR",
        "Россия": "RU", "Україна": "UA", "日本": "JP", "中国": "CN", "대한민국": "KR", "Éire": "IE",
        "Perú": "PE", "Royaume-Uni": "GB", "Vereinigtes Königreich": "GB", "Vereinigte Staaten": "US",
        "États-Unis": "US", "Estados Unidos": "US", "Frankreich": "FR", "Francia": "FR", "Alemania": "DE",
        "Allemagne": "DE", "Germania": "DE",
    ]

    private static let byCode: [String: String] = {
        var map: [String: String] = [unknown: unknown, "ZZZ": unknown]
        for (alpha2, alpha3, _, _) in iso3166Countries {
            map[alpha2] = alpha2
            map[alpha3] = alpha2
        }
        map["UK"] = "GB"
        return map
    }()

    private static let byName: [String: String] = {
        var map: [String: String] = [:]
        for (alpha2, _, display, others) in iso3166Countries {
            map[nameKey(display)] = alpha2
            for other in others { map[nameKey(other)] = alpha2 }
        }
        for (alias, code) in everydayAliases { map[nameKey(alias)] = code }
        return map
    }()

    private static let names: [String: String] = {
        var map: [String: String] = [unknown: "Unknown"]
        for (alpha2, _, display, _) in iso3166Countries { map[alpha2] = display }
        return map
    }()
}

extension String {
    /// Trims spaces, tabs, CR and LF without Foundation's locale-aware machinery.
    public func trimmingASCIIWhitespace() -> String {
        let utf8 = self.utf8
        // Nearly every value has nothing to trim: its first and last bytes say so. Read
        // through the contiguous storage (this runs for every field of every row, and
        // the generic index walks below, even UTF8View's `last`, cost tens of instructions).
        let untouched = utf8.withContiguousStorageIfAvailable { bytes in
            guard let head = bytes.first, let tail = bytes.last else { return true }
            return !Self.isASCIIWhitespace(head) && !Self.isASCIIWhitespace(tail)
        }
        if untouched == true { return self }
        guard let first = utf8.firstIndex(where: { !Self.isASCIIWhitespace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !Self.isASCIIWhitespace($0) })!
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }

    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes without leading and trailing spaces, tabs, CR and LF (as
    /// `String.trimmingASCIIWhitespace`), as a slice of the same memory.
    public func trimmingASCIIWhitespace() -> UnsafeBufferPointer<UInt8> {
        var start = 0, end = count
        while start < end && String.isASCIIWhitespace(self[start]) { start += 1 }
        while end > start && String.isASCIIWhitespace(self[end - 1]) { end -= 1 }
        if start == 0 && end == count { return self }
        return UnsafeBufferPointer(rebasing: self[start..<end])
    }
}
