import Foundation

/// A blocking FIFO with a capacity, shared by the workers of two pipeline stages.
///
/// `put` waits while the queue is full (back-pressure on the producers); `take` waits while it
/// is empty and returns nil once every producer has finished and the queue is drained, or at
/// once after `cancel()`. The largest length ever reached is kept, so a test can check that
/// the bound held.
final class BoundedQueue<Element>: @unchecked Sendable {
    let capacity: Int
    private var items: [Element] = []
    private var head = 0
    private var producers: Int
    private var cancelled = false
    private let condition = NSCondition()
    private(set) var maxLength = 0

    init(capacity: Int, producers: Int) {
        precondition(capacity >= 1 && producers >= 1)
        self.capacity = capacity
        self.producers = producers
    }

    private var count: Int { items.count - head }

    /// Adds an item, waiting for room; false if the queue was cancelled.
    @discardableResult
    func put(_ item: Element) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        maxLength = max(maxLength, count)
        condition.broadcast()
        return true
    }

    /// The next item, waiting for one; nil when drained after the last producer, or cancelled.
    func take() -> Element? {
        condition.lock(); defer { condition.unlock() }
        while count == 0 && producers > 0 && !cancelled { condition.wait() }
        if cancelled || count == 0 { return nil }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count { items.removeFirst(head); head = 0 }
        condition.broadcast()
        return item
    }

    /// One producer is done; after the last, waiting consumers drain and stop.
    func producerFinished() {
        condition.lock(); defer { condition.unlock() }
        producers -= 1
        condition.broadcast()
    }

    /// Wakes everyone and makes every later `put`/`take` return at once.
    func cancel() {
        condition.lock(); defer { condition.unlock() }
        cancelled = true
        items.removeAll()
        head = 0
        condition.broadcast()
    }
}
