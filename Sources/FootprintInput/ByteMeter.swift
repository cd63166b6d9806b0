import Foundation

/// Counts bytes read from disk on one thread so that another can show progress.
public final class ByteMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0

    public init() {}

    public func add(_ count: Int) {
        lock.lock()
        total += count
        lock.unlock()
    }

    public var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return total
    }
}
