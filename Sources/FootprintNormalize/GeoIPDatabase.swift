import CMaxMindDB
import Foundation

/// Looks IP addresses up in a MaxMind-format database (.mmdb: GeoLite2, DB-IP Lite,
/// IPinfo Lite …) through libmaxminddb. The address is only used for the look-up and is
/// never stored. Memory-mapped, so opening per file is cheap and look-ups are
/// thread-safe.
public final class GeoIPDatabase: @unchecked Sendable {
    private var database = MMDB_s()

    public struct OpenError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot open the GeoIP database \(path): \(reason)" }
    }

    public init(path: String) throws {
        let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), &database)
        guard status == MMDB_SUCCESS else {
            throw OpenError(path: path, reason: String(cString: MMDB_strerror(status)))
        }
    }

    deinit { MMDB_close(&database) }

    /// Country (alpha-2), first subdivision and city in English, for an IPv4 or IPv6
    /// address; nil when the address is malformed or not in the database.
    /// Whether `text` is an IPv4 or IPv6 address (not a host name).
    public static func isAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    public func place(of ip: String) -> (country: String, region: String, city: String)? {
        var gaiError: Int32 = 0
        var mmdbError: Int32 = 0
        var result = MMDB_lookup_string(&database, ip, &gaiError, &mmdbError)
        guard gaiError == 0, mmdbError == MMDB_SUCCESS, result.found_entry else { return nil }
        guard let country = string(&result.entry, ["country", "iso_code"]) else { return nil }
        return (country,
                string(&result.entry, ["subdivisions", "0", "names", "en"]) ?? "",
                string(&result.entry, ["city", "names", "en"]) ?? "")
    }

    private func string(_ entry: inout MMDB_entry_s, _ path: [String]) -> String? {
        var data = MMDB_entry_data_s()
        // MMDB_aget takes a NULL-terminated array of C strings.
        let cStrings = path.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) } + [nil]
        let status = pointers.withUnsafeMutableBufferPointer { MMDB_aget_value(&entry, &data, $0.baseAddress) }
        guard status == MMDB_SUCCESS, data.has_data, data.type == UInt32(MMDB_DATA_TYPE_UTF8_STRING) else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data.utf8_string, count: Int(data.data_size))
        return String(decoding: bytes, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#endif
