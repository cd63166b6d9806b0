/// Problems that stop reading a file at some point. Rows read before the problem are
/// still delivered; the reader turns the problem into one final malformed record.
public enum InputError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, reason: String)
    case truncatedGzip
    case corruptGzip(reason: String)
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .readFailed(let path, let reason): return "cannot read \(path): \(reason)"
        case .truncatedGzip:
            return "gzip stream ends early (truncated download?); rows before this point were read — fetch the complete file and ingest it again"
        case .tooLarge(let limit):
            return "file is larger than \(limit) bytes once decompressed; reading stopped here — raise [limits] max_file_bytes if this is expected"
        case .corruptGzip(let reason):
            return "corrupt gzip data (\(reason)); rows before this point were read — fetch the file again"
        }
    }
}
