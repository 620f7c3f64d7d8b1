/// A set of half-open intervals [lo, hi) on one chromosome, queried by position. Two
/// implementations with identical answers: `IntervalTree` and `LinearScan` (the two backends
/// of `genobench signal`).
public protocol IntervalIndex: Sendable {
    /// Builds the index; `intervals[i]` is interval i. Empty intervals (hi ≤ lo) contain nothing.
    init(_ intervals: [(lo: Int, hi: Int)])
    /// Indices of the intervals with lo ≤ x < hi, ascending.
    func containing(_ x: Int) -> [Int]
}

/// Every interval checked against every query: O(n) per query, the obvious reference.
public struct LinearScan: IntervalIndex {
    let intervals: [(lo: Int, hi: Int)]
    public init(_ intervals: [(lo: Int, hi: Int)]) { self.intervals = intervals }
    public func containing(_ x: Int) -> [Int] {
        intervals.indices.filter { intervals[$0].lo <= x && x < intervals[$0].hi }
    }
}

/// An augmented interval tree (Cormen et al., §14.3): intervals sorted by start form an
/// implicit balanced binary search tree (the middle of each range is its root), each node
/// holding the largest end in its subtree. A query visits only subtrees whose largest end
/// exceeds x and, to the right, only nodes that start at or before x: O(log n + hits), built
/// in O(n log n). Hits are returned in ascending interval index.
public struct IntervalTree: IntervalIndex {
    /// Non-empty intervals sorted by (lo, index).
    let lo: [Int], hi: [Int], index: [Int]
    /// Largest hi in the implicit subtree rooted at each sorted position.
    let maxEnd: [Int]

    public init(_ intervals: [(lo: Int, hi: Int)]) {
        let order = intervals.indices.filter { intervals[$0].hi > intervals[$0].lo }
            .sorted { (intervals[$0].lo, $0) < (intervals[$1].lo, $1) }
        let starts = order.map { intervals[$0].lo }, ends = order.map { intervals[$0].hi }
        var m = [Int](repeating: Int.min, count: order.count)
        func build(_ a: Int, _ b: Int) -> Int {
            guard a < b else { return Int.min }
            let mid = (a + b) / 2
            m[mid] = max(ends[mid], build(a, mid), build(mid + 1, b))
            return m[mid]
        }
        _ = build(0, order.count)
        lo = starts
        hi = ends
        index = order
        maxEnd = m
    }

    public func containing(_ x: Int) -> [Int] {
        var out: [Int] = []
        func visit(_ a: Int, _ b: Int) {
            guard a < b else { return }
            let mid = (a + b) / 2
            guard maxEnd[mid] > x else { return }
            visit(a, mid)
            guard lo[mid] <= x else { return }   // everything to the right starts later
            if x < hi[mid] { out.append(index[mid]) }
            visit(mid + 1, b)
        }
        visit(0, lo.count)
        return out.sorted()
    }
}
