import Foundation

/// One run at a time per database: an exclusive `flock` on `<db>.lock`. The kernel drops
/// the lock when the process ends, however it ends, so a killed run leaves no stale
/// lock. The holder writes its pid and start time into the file for the message the
/// next run shows.
public final class RunLock {
    public struct Busy: Error, CustomStringConvertible {
        public let lockPath: String
        public let holder: String
        public let waited: Int
        public var description: String {
            "another footprint run (\(holder)) holds \(lockPath)\(waited > 0 ? " and did not finish within \(waited) s" : ""); try again later or pass --wait SECONDS"
        }
    }

    public struct LockFileError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot create the lock file \(path): \(reason) — check that its folder exists and is writable" }
    }

    private let fd: Int32
    public let path: String

    /// Takes the lock, waiting up to `waitSeconds` for another run to finish.
    public init(databasePath: String, waitSeconds: Int, fileMode: UInt16 = 0o600) throws {
        path = databasePath + ".lock"
        // O_NOFOLLOW: a link planted at the lock's name is refused, not written through.
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode_t(fileMode))
        guard fd >= 0 else { throw LockFileError(path: path, reason: String(cString: strerror(errno))) }
        // The configured mode exactly, whatever the umask (open's mode is masked by it).
        _ = fchmod(fd, mode_t(fileMode))
        let deadline = Date().addingTimeInterval(Double(waitSeconds))
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if Date() >= deadline {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                close(fd)
                throw Busy(lockPath: path, holder: holder.isEmpty ? "unknown process" : holder, waited: waitSeconds)
            }
            usleep(200_000)
        }
        self.fd = fd
        let note = "pid \(getpid()), started \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
