/// Dimension keys of URLs remembered by the URL's ordinal (CanonicalURL.ordinal), in a
/// direct-mapped table: a look-up is one array read and one comparison.
///
/// Why: the staging thread caches its parsed URLs, so the loader is handed the same
/// few thousand URL values over and over; looking their keys up by text hashed and
/// compared the text of the page and the referrer for every row. In callgrind on
/// 100,000 page views the content, property and referrer look-ups were 1,300
/// instructions a row, a sixth of the loading thread's work per row.
///
/// A URL whose slot was taken by another (or a URL made outside staging's cache, or
/// parsed again after the cache dropped it, under a new ordinal) is simply looked up
/// by text again, so the table stays a fixed size whatever the input.
struct OrdinalKeyCache {
    private static let slots = 1 << 16
    private var ordinals = [Int](repeating: 0, count: slots)
    private var keys = [Int64](repeating: 0, count: slots)

    func key(_ ordinal: Int) -> Int64? {
        let slot = ordinal & (Self.slots - 1)
        return ordinal != 0 && ordinals[slot] == ordinal ? keys[slot] : nil
    }

    mutating func remember(_ ordinal: Int, _ key: Int64) {
        let slot = ordinal & (Self.slots - 1)
        ordinals[slot] = ordinal
        keys[slot] = key
    }

    mutating func removeAll() { self = OrdinalKeyCache() }
}
