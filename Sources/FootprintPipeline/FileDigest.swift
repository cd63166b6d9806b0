import FootprintInput
import FootprintNormalize

/// SHA-256 of a file's bytes as stored (compressed or not): the identity that stops a
/// renamed or re-delivered file from loading twice. Read before every load, so it uses
/// libcrypto's SHA-256 (through SHA256Hasher), which uses the CPU's SHA extensions.
public enum FileDigest {
    public static func sha256(path: String) throws -> String {
        var source = try FileChunkSource(path: path)
        var hasher = SHA256Hasher()
        while let chunk = try source.nextChunk() {
            chunk.withUnsafeBufferPointer { hasher.update($0) }
        }
        return hasher.finalize().hexString
    }
}
