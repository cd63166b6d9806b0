import CCrypto
import FootprintInput
import FootprintNormalize

/// SHA-256 of a file's bytes as stored (compressed or not): the identity that stops a
/// renamed or re-delivered file from loading twice. Computed with libcrypto, which
/// uses the CPU's SHA extensions where present: the digest is read before every load.
public enum FileDigest {
    public static func sha256(path: String) throws -> String {
        var source = try FileChunkSource(path: path)
        guard let context = EVP_MD_CTX_new() else { throw DigestError() }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw DigestError() }
        while let chunk = try source.nextChunk() {
            guard chunk.withUnsafeBytes({ EVP_DigestUpdate(context, $0.baseAddress, $0.count) }) == 1 else { throw DigestError() }
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1 else { throw DigestError() }
        return Array(digest.prefix(Int(length))).hexString
    }

    struct DigestError: Error, CustomStringConvertible {
        var description: String { "libcrypto could not compute a SHA-256 digest" }
    }
}
