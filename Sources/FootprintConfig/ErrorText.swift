import Foundation

/// One plain sentence for any error, for the messages users read. Foundation's errors
/// (CocoaError, NSPOSIXErrorDomain) describe themselves as `Error Domain=NSCocoaErrorDomain
/// Code=4 "(null)" UserInfo={…}`; this gives the path and the reason instead. Footprint's
/// own errors are already sentences and pass through unchanged.
public enum ErrorText {
    public static func plain(_ error: Error) -> String {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        let reason = self.reason(ns)
        return path.map { "\($0): \(reason)" } ?? reason
    }

    private static func reason(_ ns: NSError) -> String {
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        case .fileWriteFileExists: return "it already exists"
        case .fileReadInapplicableStringEncoding, .fileReadUnknownStringEncoding: return "not text in the expected encoding (UTF-8)"
        case .fileReadTooLarge: return "too large to read"
        default:
            if let description = ns.userInfo[NSLocalizedDescriptionKey] as? String { return description }
            return "file error \(ns.code)"
        }
    }
}
