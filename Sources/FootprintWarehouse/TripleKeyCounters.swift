/// Two counters under each key of three integers (day, content, referrer; day,
/// property, referrer): open addressing with linear probing and a multiplicative hash.
///
/// Why not a Dictionary: Swift hashes every key with seeded SipHash, and the loader
/// asks once per page view. In perf on scripts/bench the referral tally's look-ups
/// (hash seeding, combining, probing) were about a tenth of the loading thread's time;
/// the keys here are small integers that a multiply spreads well enough.
struct TripleKeyCounters {
    struct Entry {
        var a, b, c: Int64
        var first, second: Int64
    }

    private var entries: [Entry]
    private var used: [Bool]
    private var shift: UInt64
    private(set) var count = 0

    init() {
        (entries, used, shift) = Self.storage(bits: 10)
    }

    private static func storage(bits: UInt64) -> ([Entry], [Bool], UInt64) {
        let size = 1 << Int(bits)
        return ([Entry](repeating: Entry(a: 0, b: 0, c: 0, first: 0, second: 0), count: size),
                [Bool](repeating: false, count: size), 64 - bits)
    }

    /// Updates the counters of a key, starting from `initial` when the key is new.
    mutating func update(_ a: Int64, _ b: Int64, _ c: Int64, initial: (Int64, Int64),
                         _ change: (inout Entry) -> Void) {
        let mask = used.count - 1
        var index = Self.slot(a, b, c, shift: shift)
        while used[index] {
            if entries[index].a == a && entries[index].b == b && entries[index].c == c {
                change(&entries[index])
                return
            }
            index = (index + 1) & mask
        }
        used[index] = true
        entries[index] = Entry(a: a, b: b, c: c, first: initial.0, second: initial.1)
        change(&entries[index])
        count += 1
        if count * 2 > used.count { grow() }
    }

    /// Every entry, ordered by key (a, then b, then c): written in that order, they
    /// land in the summary tables' primary-key order.
    func sortedEntries() -> [Entry] {
        allEntries().sorted { ($0.a, $0.b, $0.c) < ($1.a, $1.b, $1.c) }
    }

    private func allEntries() -> [Entry] {
        var all: [Entry] = []
        all.reserveCapacity(count)
        for index in used.indices where used[index] { all.append(entries[index]) }
        return all
    }

    mutating func removeAll() {
        self = TripleKeyCounters()
    }

    /// The top bits of a multiplicative hash of the three keys (Fibonacci hashing).
    private static func slot(_ a: Int64, _ b: Int64, _ c: Int64, shift: UInt64) -> Int {
        var hash = UInt64(bitPattern: a) &* 0x9E37_79B9_7F4A_7C15
        hash = (hash ^ UInt64(bitPattern: b)) &* 0xC2B2_AE3D_27D4_EB4F
        hash = (hash ^ UInt64(bitPattern: c)) &* 0x1656_67B1_9E37_79F9
        return Int(truncatingIfNeeded: hash >> shift)
    }

    private mutating func grow() {
        let old = allEntries()
        (entries, used, shift) = Self.storage(bits: 64 - shift + 1)
        let mask = used.count - 1
        for entry in old {
            var index = Self.slot(entry.a, entry.b, entry.c, shift: shift)
            while used[index] { index = (index + 1) & mask }
            used[index] = true
            entries[index] = entry
        }
    }
}
