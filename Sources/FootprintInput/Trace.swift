import Foundation

/// Where a run's time goes: with FOOTPRINT_TRACE set in the environment, each `mark`
/// writes the seconds since the previous one, the peak memory so far and the resident
/// memory now to stderr (`trace   1.234 s   150 MB peak    80 MB now  sessions cut`). Off, a mark costs one branch. For measuring
/// (README, Development), not for users' logs.
public enum Trace {
    public static let enabled = ProcessInfo.processInfo.environment["FOOTPRINT_TRACE"] != nil
    private static let lock = NSLock()
    nonisolated(unsafe) private static var last = Date()

    public static func mark(_ step: @autoclosure () -> String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        write(now.timeIntervalSince(last), step())
        last = now
    }

    /// The time of `body` alone (for steps that run on two threads at once).
    public static func timed<T>(_ step: @autoclosure () -> String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let start = Date()
        let result = try body()
        lock.lock()
        defer { lock.unlock() }
        write(Date().timeIntervalSince(start), step())
        return result
    }

    private static func write(_ seconds: Double, _ step: String) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        // Resident now (Linux): what a step gave back shows beside the peak.
        let pages = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?
            .split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        FileHandle.standardError.write(Data(String(format: "trace %7.3f s %5d MB peak %5d MB now  %@\n", seconds,
                                                   usage.ru_maxrss / 1024, pages * Int(getpagesize()) >> 20, step).utf8))
    }
}
