/// A string whose hash is worked out once, eight bytes at a time, as a dictionary key:
/// `Hasher` then mixes one word instead of running SipHash over every byte. The staging
/// caches look up long keys (user agents of ~120 bytes, URLs) several times per row, and
/// that hashing showed as a tenth of the staging thread's instructions (callgrind).
///
/// The hash is seeded per process, like `Hasher`, so crafted inputs cannot be made to
/// collide in advance.
public struct HashedText: Hashable, Sendable {
    public let text: String
    public let hashValue64: UInt64

    public init(_ text: String) {
        self.text = text
        var bytes = text
        hashValue64 = bytes.withUTF8 { Self.hash($0) }
    }

    /// The hash `init` would give the text these UTF-8 bytes spell: look-ups by bytes
    /// (HashedTextCache.get(bytes:hash:)) need no String.
    public static func hash(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 { hash(bytes) }

    /// The key of `text`, whose bytes' hash (`hash(of:)`) is already known.
    public init(_ text: String, hashOfBytes: UInt64) {
        self.text = text
        hashValue64 = hashOfBytes
    }

    /// A key with a chosen hash, for tests of what happens when hashes collide.
    init(_ text: String, collidingHash: UInt64) {
        self.text = text
        hashValue64 = collidingHash
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hashValue64) }

    public static func == (a: HashedText, b: HashedText) -> Bool {
        a.hashValue64 == b.hashValue64 && a.text == b.text
    }

    private static let seed = UInt64.random(in: .min ... .max)

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        guard let base = bytes.baseAddress else { return h }
        var i = 0
        while i + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B93F_E53A_8EC5
        return h ^ (h >> 32)
    }
}
