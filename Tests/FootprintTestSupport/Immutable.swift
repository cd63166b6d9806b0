import Foundation

/// `chattr +i`: a file or folder nothing may change, not even root (the tests run as
/// root, which ignores permissions). Not every file system or container allows it.
public enum Immutable {
    /// Whether this machine lets the tests make a file immutable.
    public static let available: Bool = {
        let probe = NSTemporaryDirectory() + "footprint-chattr-probe-\(getpid())-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: probe, contents: Data())
        defer { set(probe, false); unlink(probe) }
        return set(probe, true)
    }()

    /// Sets or clears the flag; returns whether chattr succeeded.
    @discardableResult
    public static func set(_ path: String, _ on: Bool) -> Bool {
        guard let process = try? Process.run(URL(fileURLWithPath: "/usr/bin/chattr"), arguments: [on ? "+i" : "-i", path]) else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
