/// Two counters under each key of three integers (day, content, referrer; day,
/// property, referrer): open addressing with linear probing and a multiplicative hash.
///
/// Why not a Dictionary: Swift hashes every key with seeded SipHash, and the loader
/// asks once per page view. In perf on scripts/bench the referral tally's look-ups
/// (hash seeding, combining, probing) were about a tenth of the loading thread's time;
/// the keys here are small integers that a multiply spreads well enough.
///
/// An empty slot is marked in the entry itself (`a == Int64.min`, never a key): with
/// a separate array of flags every look-up missed the cache twice, and perf put 87 %
/// of the tally's time on those two loads (the table outgrows the CPU caches).
struct TripleKeyCounters {
    struct Entry {
        var a, b, c: Int64
        var first, second: Int64
    }

    private static let emptyMark = Int64.min
    private static let emptyEntry = Entry(a: emptyMark, b: 0, c: 0, first: 0, second: 0)
    private static let initialBits: UInt64 = 10

    private var entries: [Entry]
    private var shift: UInt64
    private(set) var count = 0

    init() {
        entries = [Entry](repeating: Self.emptyEntry, count: 1 << Int(Self.initialBits))
        shift = 64 - Self.initialBits
    }

    /// Updates the counters of a key, starting from `initial` when the key is new.
    /// `a` must not be Int64.min.
    mutating func update(_ a: Int64, _ b: Int64, _ c: Int64, initial: (Int64, Int64),
                         _ change: (inout Entry) -> Void) {
        precondition(a != Self.emptyMark, "Int64.min marks an empty slot")
        let added: Bool = entries.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            var index = Self.slot(a, b, c, shift: shift)
            while slots[index].a != Self.emptyMark {
                if slots[index].a == a && slots[index].b == b && slots[index].c == c {
                    change(&slots[index])
                    return false
                }
                index = (index + 1) & mask
            }
            slots[index] = Entry(a: a, b: b, c: c, first: initial.0, second: initial.1)
            change(&slots[index])
            return true
        }
        guard added else { return }
        count += 1
        if count * 2 > entries.count { grow() }
    }

    /// Every entry, ordered by key (a, then b, then c): written in that order, they
    /// land in the summary tables' primary-key order.
    func sortedEntries() -> [Entry] {
        allEntries().sorted { ($0.a, $0.b, $0.c) < ($1.a, $1.b, $1.c) }
    }

    private func allEntries() -> [Entry] {
        var all: [Entry] = []
        all.reserveCapacity(count)
        for entry in entries where entry.a != Self.emptyMark { all.append(entry) }
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
        shift -= 1
        entries = [Entry](repeating: Self.emptyEntry, count: 1 << Int(64 - shift))
        let mask = entries.count - 1
        for entry in old {
            var index = Self.slot(entry.a, entry.b, entry.c, shift: shift)
            while entries[index].a != Self.emptyMark { index = (index + 1) & mask }
            entries[index] = entry
        }
    }
}
