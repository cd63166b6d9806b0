import Foundation

/// A fresh temporary folder per test, with helpers to write plain and gzip files. It is
/// removed when the object goes: keep it alive while its files are used (a test that
/// opens a database in it ends with `withExtendedLifetime(folder) {}` or holds it in a
/// fixture).
public final class TestFolder {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "footprint-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }

    @discardableResult
    public func writeBytes(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    /// gzip-compresses text with the system gzip, as real exports are.
    public static func gzip(_ text: String) throws -> [UInt8] { try systemGzip(text) }
}
