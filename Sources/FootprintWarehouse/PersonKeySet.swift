/// A set of person keys: open addressing with linear probing, indexed by the key's own
/// low bits. Person keys are the first 63 bits of an HMAC, so they are already
/// uniformly spread and need no hashing; Swift's Set hashed every key with SipHash,
/// which showed in the loader's profile (it is asked once per loaded page view).
struct PersonKeySet {
    /// 0 marks an empty slot; a real key 0 is tracked by `hasZero`.
    private var slots: [Int64]
    private var mask: Int
    private var hasZero = false
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    mutating func insert(_ key: Int64) {
        if key == 0 {
            if !hasZero { hasZero = true; count += 1 }
            return
        }
        var index = Int(truncatingIfNeeded: key) & mask
        while true {
            let slot = slots[index]
            if slot == key { return }
            if slot == 0 { break }
            index = (index + 1) & mask
        }
        slots[index] = key
        count += 1
        if count * 2 > slots.count { grow() }
    }

    /// Every key, in no particular order.
    var keys: [Int64] {
        var keys = slots.filter { $0 != 0 }
        if hasZero { keys.append(0) }
        return keys
    }

    mutating func removeAll() { self = PersonKeySet() }

    private mutating func grow() {
        let old = slots.filter { $0 != 0 }
        let zero = hasZero
        self = PersonKeySet(capacity: slots.count)
        for key in old { insert(key) }
        if zero { insert(0) }
    }
}
