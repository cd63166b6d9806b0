/// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), small and dependency-free: the
/// pipeline only hashes each distinct visitor or actor id once per run, so a plain
/// implementation is fast enough and spares the build a crypto library.
public enum SHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public static func hash(_ message: [UInt8]) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(message)
        return hasher.finalize()
    }

    public static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = hash(block.map { $0 ^ 0x36 } + message)
        return hash(block.map { $0 ^ 0x5c } + inner)
    }

    static var roundConstants: [UInt32] { k }
}

/// Incremental SHA-256, for hashing files chunk by chunk (the content hash that stops a
/// re-delivered file from loading twice) and for HMAC.
public struct SHA256Hasher {
    private var state = SIMD8<UInt32>(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// A partial 64-byte block waiting for more input.
    private var buffer = [UInt8](repeating: 0, count: 64)
    private var buffered = 0
    private var length: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        length &+= UInt64(bytes.count)
        var offset = 0
        if buffered > 0 {
            while buffered < 64 && offset < bytes.count {
                buffer[buffered] = base[offset]
                buffered += 1
                offset += 1
            }
            if buffered == 64 {
                var block = buffer
                block.withUnsafeMutableBufferPointer { Self.compress(&state, UnsafePointer($0.baseAddress!)) }
                buffered = 0
            }
        }
        while offset + 64 <= bytes.count {
            Self.compress(&state, base + offset)
            offset += 64
        }
        while offset < bytes.count {
            buffer[buffered] = base[offset]
            buffered += 1
            offset += 1
        }
    }

    public mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        while (buffered + tail.count) % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        update(tail)
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<8 {
            let word = state[i]
            out[i * 4] = UInt8(truncatingIfNeeded: word >> 24)
            out[i * 4 + 1] = UInt8(truncatingIfNeeded: word >> 16)
            out[i * 4 + 2] = UInt8(truncatingIfNeeded: word >> 8)
            out[i * 4 + 3] = UInt8(truncatingIfNeeded: word)
        }
        return out
    }

    private static func compress(_ state: inout SIMD8<UInt32>, _ p: UnsafePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            roundConstants.withUnsafeBufferPointer { k in
                for t in 0..<16 {
                    w[t] = UInt32(p[t * 4]) << 24 | UInt32(p[t * 4 + 1]) << 16 | UInt32(p[t * 4 + 2]) << 8 | UInt32(p[t * 4 + 3])
                }
                for t in 16..<64 {
                    let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                    let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                    w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
                for t in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ s0 &+ maj)
                }
                state &+= SIMD8(a, b, c, d, e, f, g, h)
            }
        }
    }
}

private let roundConstants = SHA256.roundConstants

@inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

extension Array where Element == UInt8 {
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let hi = hexValue(chars[i]), let lo = hexValue(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        self = out
    }
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x61...0x66: return c - 0x61 + 10
    case 0x41...0x46: return c - 0x41 + 10
    default: return nil
    }
}

/// Pseudonymises visitor and actor ids: HMAC-SHA256 under a per-database secret key,
/// cut to 128 bits and written as hex. Without the key the hash cannot be tied back to
/// an id by hashing guesses.
public struct PersonHasher {
    /// SHA-256 states after absorbing the key XOR ipad / opad blocks, computed once.
    private let inner: SHA256Hasher
    private let outer: SHA256Hasher

    public init(key: [UInt8]) {
        var block = key.count > 64 ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256Hasher(), outer = SHA256Hasher()
        inner.update(block.map { $0 ^ 0x36 })
        outer.update(block.map { $0 ^ 0x5c })
        self.inner = inner
        self.outer = outer
    }

    /// The person as the database knows them: the keyed hash and the surrogate key
    /// taken from its first 63 bits (collision odds are in the README).
    public func person(_ id: String) -> HashedPerson {
        var innerHasher = inner
        var text = id
        text.withUTF8 { innerHasher.update($0) }
        var outerHasher = outer
        outerHasher.update(innerHasher.finalize())
        let digest = outerHasher.finalize()
        var high: UInt64 = 0, low: UInt64 = 0
        for byte in digest[0..<8] { high = high << 8 | UInt64(byte) }
        for byte in digest[8..<16] { low = low << 8 | UInt64(byte) }
        return HashedPerson(high: high, low: low)
    }
}

/// A visitor or group member after hashing: what the loader stores instead of the id.
/// The first 128 bits of the keyed hash, kept as two integers (no text per person in
/// the caches); the surrogate key is its first 63 bits.
public struct HashedPerson: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    public var key: Int64 { Int64(bitPattern: high & 0x7fff_ffff_ffff_ffff) }

    /// 32 hex digits (dim_person.person_hash).
    public var hash: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for word in [high, low] { for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) } }
        return bytes.hexString
    }
}

/// Hashes ids on the staging thread, remembering recent ones, so that a visitor in the
/// middle of a visit is not hashed again for every page. Small on purpose: the staging
/// thread has time to spare, and memory is the budget that matters (scripts/bench).
public final class PersonCache {
    private let hasher: PersonHasher
    private var cache = BoundedCache<String, HashedPerson>(limit: 32_768)

    public init(hasher: PersonHasher) { self.hasher = hasher }

    public func person(_ id: String) -> HashedPerson {
        if let known = cache.get(id) { return known }
        let person = hasher.person(id)
        cache.insert(id, person)
        return person
    }
}

/// A fast, stable 64-bit hash (FNV-1a with a murmur3 finaliser) used to turn natural
/// event ids into integer row keys. Stable across runs and machines, unlike `Hasher`.
public enum StableHash {
    public static func hash64(_ text: String, seed: UInt64 = 0) -> UInt64 {
        hash64(bytes: text.utf8, seed: seed)
    }

    @inlinable
    public static func hash64<Bytes: Sequence<UInt8>>(bytes: Bytes, seed: UInt64 = 0) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325 ^ seed
        for byte in bytes {
            h ^= UInt64(byte)
            h &*= 0x100000001b3
        }
        h ^= h >> 33; h &*= 0xff51afd7ed558ccd
        h ^= h >> 33; h &*= 0xc4ceb93fe53a8ec5
        h ^= h >> 33
        return h
    }

    /// A positive 63-bit key, suitable as an SQLite INTEGER PRIMARY KEY.
    public static func rowKey(_ text: String) -> Int64 {
        Int64(bitPattern: hash64(text) & 0x7fff_ffff_ffff_ffff)
    }
}
