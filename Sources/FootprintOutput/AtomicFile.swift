import Foundation

/// Writes files so that a reader never sees half of one: the bytes go to a temporary
/// file in the same folder, are flushed to disk, and then renamed over the target.
///
/// The temporary file is made by `mkstemp` (a random name, `O_CREAT|O_EXCL`), so a link
/// planted at a predictable name cannot redirect the write; its mode is set with
/// `fchmod`, so it is exactly `permissions` whatever the process's umask.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    public static func write(_ text: String, to path: String, permissions: mode_t = 0o600) throws {
        try write(to: path, permissions: permissions) { try $0.write(text) }
    }

    /// `body` writes the contents (a report set's files are written row by row as the
    /// rows are read); a failure in it leaves nothing at `path`.
    public static func write(to path: String, permissions: mode_t = 0o600, _ body: (OutputFile) throws -> Void) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/.\(name).tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        let temporary = String(cString: template)
        func fail(_ reason: String) -> WriteError {
            close(fd); unlink(temporary)
            return WriteError(path: path, reason: reason)
        }
        guard fchmod(fd, permissions) == 0 else { throw fail(String(cString: strerror(errno))) }
        do {
            let file = OutputFile(descriptor: fd, path: path)
            try body(file)
            try file.flush()
        } catch {
            close(fd); unlink(temporary)
            throw error
        }
        guard fsync(fd) == 0 else { throw fail(String(cString: strerror(errno))) }
        if close(fd) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
    }
}
