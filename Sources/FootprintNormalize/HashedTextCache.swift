#if canImport(Glibc)
import Glibc
#endif

/// BoundedCache's contract (two generations, memory under 2 × `limit` entries, a
/// working set below `limit` always hits) for HashedText keys, in open-addressing tables
/// probed by the key's own precomputed hash.
///
/// Why: a Dictionary feeds even a precomputed hash through a seeded SipHash round and
/// its finaliser on every look-up. The staging thread makes several look-ups per row
/// (URL, user agent, referrer, visitor id, country), and that hashing was about a
/// twentieth of its instructions (callgrind, 100k rows).
public struct HashedTextCache<Value> {
    @usableFromInline var young: Table
    @usableFromInline var old: Table
    public let limit: Int

    @inlinable public init(limit: Int) {
        self.limit = limit
        young = Table()
        old = Table()
    }

    @inlinable public mutating func get(_ key: HashedText) -> Value? {
        if let value = young.find(key) { return value }
        if let value = old.find(key) {
            insert(key, value)
            return value
        }
        return nil
    }

    /// `get` by the UTF-8 bytes of a key and their `HashedText.hash(of:)`, so that a hit
    /// (most look-ups) makes no String.
    @inlinable public mutating func get(bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Value? {
        if let index = young.index(bytes: bytes, hash: hash) { return young.values[index] }
        if let index = old.index(bytes: bytes, hash: hash) {
            let value = old.values[index]
            insert(HashedText(old.texts[index], hashOfBytes: hash), value!)
            return value
        }
        return nil
    }

    /// The value cached for the text these UTF-8 bytes spell, else `make` of the text
    /// (a String made only then), cached. The one path of every look-up by bytes.
    @inlinable public mutating func value(forBytes bytes: UnsafeBufferPointer<UInt8>, make: (String) -> Value) -> Value {
        let hash = HashedText.hash(of: bytes)
        if let cached = get(bytes: bytes, hash: hash) { return cached }
        let text = String(decoding: bytes, as: UTF8.self)
        let value = make(text)
        insert(HashedText(text, hashOfBytes: hash), value)
        return value
    }

    @inlinable public mutating func insert(_ key: HashedText, _ value: Value) {
        if young.count >= limit {
            old = young
            young = Table()
        }
        young.insert(key, value)
    }

    @inlinable public mutating func removeAll() {
        young = Table()
        old = Table()
    }

    /// Linear probing over parallel arrays; a slot's stored hash is never 0 (0 marks it
    /// empty), so a probe compares plain integers and touches a key's text only when
    /// the hashes agree.
    @usableFromInline struct Table {
        @usableFromInline var hashes: [UInt64]
        @usableFromInline var texts: [String]
        @usableFromInline var values: [Value?]
        @usableFromInline var count = 0

        @inlinable init(size: Int = 64) {
            hashes = [UInt64](repeating: 0, count: size)
            texts = [String](repeating: "", count: size)
            values = [Value?](repeating: nil, count: size)
        }

        @inlinable static func stored(_ hash: UInt64) -> UInt64 { hash == 0 ? 1 : hash }

        @inlinable func find(_ key: HashedText) -> Value? {
            let hash = Self.stored(key.hashValue64)
            let mask = hashes.count - 1
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = hashes[index]
                if slot == 0 { return nil }
                if slot == hash && texts[index] == key.text { return values[index] }
                index = (index + 1) & mask
            }
        }

        @inlinable func index(bytes: UnsafeBufferPointer<UInt8>, hash rawHash: UInt64) -> Int? {
            let hash = Self.stored(rawHash)
            let mask = hashes.count - 1
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = hashes[index]
                if slot == 0 { return nil }
                if slot == hash && Self.equal(texts[index], bytes) { return index }
                index = (index + 1) & mask
            }
        }

        @inlinable static func equal(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            let utf8 = text.utf8
            guard utf8.count == bytes.count else { return false }
            guard let other = bytes.baseAddress else { return true }
            return utf8.withContiguousStorageIfAvailable { stored in
                memcmp(stored.baseAddress!, other, bytes.count) == 0
            } ?? utf8.elementsEqual(bytes)
        }

        @inlinable mutating func insert(_ key: HashedText, _ value: Value) {
            // Up to three quarters full: linear probing with a well-mixed hash stays
            // short there, and the tables are half the size they would be at one half.
            if (count + 1) * 4 > hashes.count * 3 { grow() }
            let hash = Self.stored(key.hashValue64)
            let mask = hashes.count - 1
            var index = Int(truncatingIfNeeded: hash) & mask
            while hashes[index] != 0 {
                if hashes[index] == hash && texts[index] == key.text {
                    values[index] = value
                    return
                }
                index = (index + 1) & mask
            }
            hashes[index] = hash
            texts[index] = key.text
            values[index] = value
            count += 1
        }

        @inlinable mutating func grow() {
            var bigger = Table(size: hashes.count * 2)
            let mask = bigger.hashes.count - 1
            for slot in hashes.indices where hashes[slot] != 0 {
                var index = Int(truncatingIfNeeded: hashes[slot]) & mask
                while bigger.hashes[index] != 0 { index = (index + 1) & mask }
                bigger.hashes[index] = hashes[slot]
                bigger.texts[index] = texts[slot]
                bigger.values[index] = values[slot]
            }
            bigger.count = count
            self = bigger
        }
    }
}
