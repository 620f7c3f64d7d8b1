/// The counts at each filter step, in order, as the `peg` log reports them (mrpeg logs the
/// same steps to its console and `.log`).
public struct FilterLog: Sendable, Equatable {
    public private(set) var lines: [String] = []
    public private(set) var warnings: [String] = []

    public init() {}
    public mutating func note(_ line: String) { lines.append(line) }
    public mutating func warn(_ line: String) { warnings.append(line); lines.append("warning: " + line) }
    public mutating func append(_ other: FilterLog) {
        lines += other.lines
        warnings += other.warnings
    }
}
