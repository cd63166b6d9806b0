import Foundation

/// Where a run's time goes: with FOOTPRINT_TRACE set in the environment, each `mark`
/// writes the seconds since the previous one, the peak memory so far and the resident
/// memory now to stderr (`trace   1.234 s   150 MB peak    80 MB now  sessions cut`). Off, a mark costs one branch. For measuring
/// (README, Development), not for users' logs.
public enum Trace {
    public static let enabled = ProcessInfo.processInfo.environment["FOOTPRINT_TRACE"] != nil
    /// With FOOTPRINT_TRACE_SQL=MS, every SQLite statement that ran longer than MS
    /// milliseconds is written too (`sql     0.093 s  UPDATE fact_group_activity …`): the
    /// way to find a statement SQLite planned badly (it has no statistics).
    public static let slowSQLMilliseconds = ProcessInfo.processInfo.environment["FOOTPRINT_TRACE_SQL"].flatMap { Double($0) }

    /// Writes one slow statement's time and its first 160 characters.
    public static func slowStatement(seconds: Double, sql: String) {
        let text = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(String(format: "sql   %7.3f s  %@\n", seconds, String(text.prefix(160))).utf8))
    }
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
        FileHandle.standardError.write(Data(String(format: "trace %7.3f s %5d MB peak %5d MB now  %@\n", seconds,
                                                   usage.ru_maxrss / 1024, residentMB(), step).utf8))
    }

    /// Resident memory now (Linux's /proc/self/statm; 0 elsewhere): what a step gave
    /// back shows beside the peak. Read with plain read(2): /proc files report size 0.
    private static func residentMB() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return 0 }
        let fields = String(decoding: buffer[..<count], as: UTF8.self).split(separator: " ")
        return fields.count > 1 ? ((Int(fields[1]) ?? 0) * Int(getpagesize())) >> 20 : 0
    }
}
