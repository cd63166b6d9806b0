import CCrypto

/// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) on libcrypto's SHA-256, which uses
/// the CPU's SHA extensions where present. Every page view's visitor id is hashed on
/// the staging thread; the portable Swift implementation this replaced took about a
/// sixth of that thread's time on scripts/bench data.
public enum SHA256 {
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
}

/// Incremental SHA-256. A value type: copying it copies the state (HMAC keeps the
/// states after the key blocks and starts each message from a copy).
public struct SHA256Hasher {
    private var context = SHA256_CTX()

    public init() { SHA256_Init(&context) }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        SHA256_Update(&context, base, bytes.count)
    }

    public mutating func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { finalize(into: $0) }
        return digest
    }

    /// Writes the 32-byte digest into `digest` (no allocation, for the per-row path).
    public mutating func finalize(into digest: UnsafeMutableBufferPointer<UInt8>) {
        precondition(digest.count >= 32)
        SHA256_Final(digest.baseAddress, &context)
    }
}

extension Array where Element == UInt8 {
    public var hexString: String { Hex.string(byteCount: count) { self[$0] } }

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
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            var innerHasher = inner
            var text = Self.normalizedID(id)
            text.withUTF8 { innerHasher.update($0) }
            innerHasher.finalize(into: digest)
            var outerHasher = outer
            outerHasher.update(UnsafeBufferPointer(digest))
            outerHasher.finalize(into: digest)
            var high: UInt64 = 0, low: UInt64 = 0
            for index in 0..<8 { high = high << 8 | UInt64(digest[index]) }
            for index in 8..<16 { low = low << 8 | UInt64(digest[index]) }
            return HashedPerson(high: high, low: low)
        }
    }
}

extension PersonHasher {
    /// An e-mail address is one person however it is written: trimmed and lower-cased
    /// (CONTRACT.md section 5), so that `Jane@Acme.example` subscribing and
    /// `jane@acme.example` commenting are the same actor. Other ids are kept as given.
    public static func normalizedID(_ id: String) -> String {
        guard id.utf8.contains(UInt8(ascii: "@")) else { return id }
        let trimmed = id.trimmingASCIIWhitespace()
        guard let at = trimmed.firstIndex(of: "@"), at > trimmed.startIndex,
              trimmed[trimmed.index(after: at)...].contains("."),
              !trimmed.contains(where: { $0 == " " }) else { return id }
        return trimmed.lowercased()
    }
}

/// A visitor or group member after hashing: what the loader stores instead of the id.
/// The first 128 bits of the keyed hash, kept as two integers (no text per person in
/// the caches); the surrogate key is its first 63 bits.
public struct HashedPerson: Hashable, Sendable, BitwiseCopyable {
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    public var key: Int64 { Int64(bitPattern: high & 0x7fff_ffff_ffff_ffff) }

    /// 32 hex digits (dim_person.person_hash).
    public var hash: String {
        Hex.string(byteCount: 16) { index in
            UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> UInt64(56 - 8 * (index % 8)))
        }
    }
}

/// Lowercase hex, written straight into the String's storage (no array of digits: the
/// loader writes one for every new visitor).
enum Hex {
    static func string(byteCount: Int, _ byte: (Int) -> UInt8) -> String {
        String(unsafeUninitializedCapacity: byteCount * 2) { text in
            let digits: StaticString = "0123456789abcdef"
            for index in 0..<byteCount {
                let value = byte(index)
                text[2 * index] = digits.utf8Start[Int(value >> 4)]
                text[2 * index + 1] = digits.utf8Start[Int(value & 0xf)]
            }
            return byteCount * 2
        }
    }
}

/// Hashes ids on the staging thread, remembering recent ones, so that a visitor in the
/// middle of a visit is not hashed again for every page. Small on purpose: the staging
/// thread has time to spare, and memory is the budget that matters (scripts/bench).
public final class PersonCache {
    private let hasher: PersonHasher
    private var cache = HashedTextCache<HashedPerson>(limit: 32_768)

    public init(hasher: PersonHasher) { self.hasher = hasher }

    public func person(_ id: String) -> HashedPerson {
        var id = id
        return id.withUTF8 { person(bytes: $0) }
    }

    /// `person` of an id given as UTF-8 bytes; a recent visitor costs no String.
    public func person(bytes: UnsafeBufferPointer<UInt8>) -> HashedPerson {
        cache.value(forBytes: bytes, make: hasher.person)
    }
}

/// A fast, stable 64-bit hash (FNV-1a with a murmur3 finaliser) used to turn natural
/// event ids into integer row keys. Stable across runs and machines, unlike `Hasher`.
public enum StableHash {
    public static func hash64(_ text: String, seed: UInt64 = 0) -> UInt64 {
        // The same bytes through a buffer pointer: iterating String.UTF8View costs
        // several times more per byte (seen in the staging thread's profile).
        var text = text
        return text.withUTF8 { hash64(bytes: $0, seed: seed) }
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
