/// One statistical problem with backends, an exact reference and an accuracy comparison.
///
/// A family knows how to build a problem (simulate it from parameters and a seed), compute
/// the GSL reference for it, and compare a backend's solution with that reference. It never
/// measures time or memory: the harness does. Families conform in their own modules and
/// never import the harness.
public protocol Family: Sendable {
    associatedtype Problem: Sendable
    associatedtype Solution: Sendable
    associatedtype Reference: Sendable

    /// Stable id used in suites, the store and the CLI (`"ld"`).
    var id: String { get }
    /// One line for `genobench list`.
    var summary: String { get }
    /// Parameters a suite may set, named as the simulate and analysis options are.
    var parameters: [ParameterSpec] { get }
    /// Accuracy metrics this family reports, with their default tolerances.
    var tolerances: [ToleranceSpec] { get }

    /// Builds the problem instance for these parameters and seed (data built once per instance).
    func makeProblem(_ parameters: ProblemParameters, seed: UInt64) throws -> Problem
    /// A content hash of the problem's data, stored with the problem.
    func dataHash(of problem: Problem) -> String
    /// The exact reference (GSL, double precision).
    func reference(for problem: Problem) throws -> Reference
    /// Accuracy of a solution against the reference, one metric per tolerance.
    func compare(_ solution: Solution, with reference: Reference, tolerances: Tolerances) -> [Metric]
    /// Named summary numbers of a solution to store as estimates.
    func estimates(of solution: Solution) -> [Estimate]
    /// The parameter pair that splits one problem into independent parts (LD: `subproblems`
    /// tiles, `part` J), or nil. A suite problem that sets the count C but not the index is
    /// planned as its C parts (the scale-out unit of `genobench run --shard`).
    var partitionParameters: PartitionParameters? { get }
    /// Checks a combination of parameters that each lie in their own range but may not fit
    /// together (LD: `subproblems` triangular and `part` ≤ `subproblems`) without building any
    /// data; called for every planned problem before a suite runs, so a bad suite is an error up
    /// front instead of one failed run per problem.
    func checkParameters(_ parameters: ProblemParameters) throws
}

/// Names the count and the 1-based index parameter of a family's split into parts.
public struct PartitionParameters: Sendable, Equatable {
    public let count: String
    public let index: String
    public init(count: String, index: String) { self.count = count; self.index = index }
}

// MARK: Default implementations
extension Family {
    /// Default: a problem is not split into parts.
    public var partitionParameters: PartitionParameters? { nil }
    /// Default: the per-parameter ranges (`ParameterSpec`) are all there is to check.
    public func checkParameters(_ parameters: ProblemParameters) throws {}
}

/// A backend of one family: one type, one registry line.
public protocol Backend<FamilyType>: Sendable {
    associatedtype FamilyType: Family

    /// Stable kebab-case id with the precision suffix (`"tiled-f32"`).
    var id: String { get }
    /// Bumped whenever the backend's numerical behaviour changes, so stored results stay tied
    /// to the code that produced them.
    var version: String { get }
    var precision: Precision { get }

    /// Solves the problem. Diagnostics (tiles, iterations, kernels used) go in the result.
    func solve(_ problem: FamilyType.Problem, context: RunContext) throws -> Solved<FamilyType.Solution>
}

/// A backend's answer plus its own diagnostics.
public struct Solved<Solution: Sendable>: Sendable {
    public var solution: Solution
    public var diagnostics: Diagnostics

    public init(_ solution: Solution, diagnostics: Diagnostics = Diagnostics()) {
        self.solution = solution
        self.diagnostics = diagnostics
    }
}
