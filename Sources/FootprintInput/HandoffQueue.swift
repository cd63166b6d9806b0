import Foundation

/// A bounded queue from one producer thread to one consumer: the producer waits while
/// it is full (so memory stays bounded), the consumer while it is empty. The producer
/// thread holds only the queue, never its consumer, so a consumer that goes away cancels
/// the queue and the producer stops instead of waiting forever.
public final class HandoffQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var weights: [Int] = []
    private var queuedWeight = 0
    private var finished = false
    private var cancelled = false
    private let capacity: Int
    private let maxWeight: Int

    /// At most `capacity` items wait, and at most `maxWeight` of their weight (bytes),
    /// except that one item always fits however heavy: rows near `max_record_bytes`
    /// must still pass, one at a time.
    public init(capacity: Int, maxWeight: Int = .max) {
        self.capacity = capacity
        self.maxWeight = maxWeight
    }

    /// Producer: adds an item, waiting for room. Returns false once the consumer has
    /// cancelled: the producer should stop.
    @discardableResult
    public func put(_ item: Element, weight: Int = 0) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while (items.count >= capacity || (!items.isEmpty && queuedWeight + weight > maxWeight)) && !cancelled {
            condition.wait()
        }
        if cancelled { return false }
        items.append(item)
        weights.append(weight)
        queuedWeight += weight
        condition.broadcast()
        return true
    }

    private func removeFirst() -> Element {
        queuedWeight -= weights.removeFirst()
        return items.removeFirst()
    }

    /// Producer: no more items will come.
    public func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: the next item, or nil when the producer finished and all were taken.
    public func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished && !cancelled { condition.wait() }
        if items.isEmpty { return nil }
        let item = removeFirst()
        condition.broadcast()
        return item
    }

    /// The next item if one is waiting, without waiting.
    public func poll() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        if items.isEmpty { return nil }
        let item = removeFirst()
        condition.broadcast()
        return item
    }

    /// Consumer: stop the producer; items not taken are dropped.
    public func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        weights.removeAll()
        queuedWeight = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `produce` on a new thread, finishing the queue when it returns.
    public func startProducer(stackSize: Int = 1 << 20, _ produce: @escaping @Sendable (HandoffQueue<Element>) -> Void) {
        let thread = Thread { [self] in
            produce(self)
            finish()
        }
        thread.stackSize = stackSize
        thread.start()
    }
}
