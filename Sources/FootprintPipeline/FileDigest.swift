import FootprintInput
import FootprintNormalize

/// SHA-256 of a file's bytes as stored (compressed or not): the identity that stops a
/// renamed or re-delivered file from loading twice.
public enum FileDigest {
    public static func sha256(path: String) throws -> String {
        var source = try FileChunkSource(path: path)
        var hasher = SHA256Hasher()
        while let chunk = try source.nextChunk() { hasher.update(chunk) }
        return hasher.finalize().hexString
    }
}
