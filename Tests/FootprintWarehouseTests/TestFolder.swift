import Foundation
import FootprintTestSupport

/// A fresh temporary folder per test, with helpers to write plain and gzip files.
final class TestFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "footprint-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }

    @discardableResult
    func writeBytes(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    /// gzip-compresses text with the system gzip, as real exports are.
    static func gzip(_ text: String) throws -> [UInt8] { try systemGzip(text) }
}
