import GenoBenchCore

/// What the harness knows of one backend without its types.
public struct BackendInfo: Sendable, Equatable {
    public let id: String
    public let family: String
    public let version: String
    public let precision: Precision
}

/// One family with its backends, type-erased at the harness boundary.
public struct FamilyEntry: Sendable {
    public let id: String
    public let summary: String
    public let parameters: [ParameterSpec]
    public let tolerances: [ToleranceSpec]
    public let backends: [BackendInfo]
    /// The family's split of a problem into parts (`Family.partitionParameters`).
    public let partition: PartitionParameters?
    let instantiate: @Sendable (ProblemParameters, UInt64) throws -> any ProblemInstance
    let check: @Sendable (ProblemParameters) throws -> Void
    /// Set for families that conform to `GoldenCases` (Validation.swift).
    var validator: (@Sendable (ValidationCase, Bool, RunContext) throws -> [CaseResult])?

    public init<F: Family>(_ family: F, backends: [any Backend<F>]) {
        self.init(family, backends: backends, golden: false)
    }

    init<F: Family>(_ family: F, backends: [any Backend<F>], golden: Bool) {
        id = family.id
        summary = family.summary
        parameters = family.parameters
        tolerances = family.tolerances
        partition = family.partitionParameters
        self.backends = backends.map { BackendInfo(id: $0.id, family: family.id, version: $0.version, precision: $0.precision) }
        check = { try family.checkParameters($0) }
        instantiate = { parameters, seed in
            TypedInstance(family: family, backends: backends, problem: try family.makeProblem(parameters, seed: seed))
        }
    }

    /// Checks the parameters of one planned problem without building data (`Family.checkParameters`).
    public func checkParameters(_ parameters: ProblemParameters) throws { try check(parameters) }

    /// Builds the problem's data once (simulated from the parameters and seed).
    public func makeInstance(_ parameters: ProblemParameters, seed: UInt64) throws -> any ProblemInstance {
        try instantiate(parameters, seed)
    }

    public func backend(_ id: String) -> BackendInfo? { backends.first { $0.id == id } }
}

/// Every family and backend GenoBench can run.
public struct Registry: Sendable {
    public let families: [FamilyEntry]

    public init(_ families: [FamilyEntry]) { self.families = families }

    public func family(_ id: String) throws -> FamilyEntry {
        guard let f = families.first(where: { $0.id == id }) else {
            throw RegistryError.unknownFamily(id, known: families.map(\.id))
        }
        return f
    }

    /// The backend with this id in this family, or an error listing the family's backends.
    public func backend(_ id: String, family: String) throws -> BackendInfo {
        let f = try self.family(family)
        guard let b = f.backend(id) else { throw RegistryError.unknownBackend(id, family: family, known: f.backends.map(\.id)) }
        return b
    }
}

public enum RegistryError: Error, CustomStringConvertible, Equatable {
    case unknownFamily(String, known: [String])
    case unknownBackend(String, family: String, known: [String])

    public var description: String {
        switch self {
        case .unknownFamily(let id, let known):
            "unknown family '\(id)' (known: \(known.joined(separator: ", ")))"
        case .unknownBackend(let id, let family, let known):
            "unknown backend '\(id)' for family '\(family)' (known: \(known.joined(separator: ", ")); see `genobench list`)"
        }
    }
}

/// A built problem: its data, its reference (computed once) and its backends.
public protocol ProblemInstance: AnyObject, Sendable {
    var dataHash: String { get }
    /// Computes the reference if it has not been computed yet.
    func prepareReference() throws
    /// Runs one backend (what the harness measures).
    func solve(backend: String, context: RunContext) throws -> AnySolved
    /// Accuracy against the reference and the solution's estimates (not measured).
    func evaluate(_ solved: AnySolved, tolerances overrides: [String: Double]) throws -> Evaluation
}

/// A backend's answer with its type erased.
public struct AnySolved: @unchecked Sendable {
    let value: Any
    public let diagnostics: Diagnostics
    public let precision: Precision
}

/// What the harness stores about a solution besides its timing.
public struct Evaluation: Sendable {
    public var metrics: [Metric]
    public var estimates: [Estimate]
    public var passed: Bool { metrics.allSatisfy(\.passed) }
}

final class TypedInstance<F: Family>: ProblemInstance, @unchecked Sendable {
    let family: F
    let backends: [any Backend<F>]
    let problem: F.Problem
    let dataHash: String
    private var reference: F.Reference?

    init(family: F, backends: [any Backend<F>], problem: F.Problem) {
        self.family = family
        self.backends = backends
        self.problem = problem
        self.dataHash = family.dataHash(of: problem)
    }

    func prepareReference() throws {
        if reference == nil { reference = try family.reference(for: problem) }
    }

    func solve(backend id: String, context: RunContext) throws -> AnySolved {
        guard let b = backends.first(where: { $0.id == id }) else {
            throw RegistryError.unknownBackend(id, family: family.id, known: backends.map(\.id))
        }
        let solved = try b.solve(problem, context: context)
        return AnySolved(value: solved.solution, diagnostics: solved.diagnostics, precision: b.precision)
    }

    func evaluate(_ solved: AnySolved, tolerances overrides: [String: Double]) throws -> Evaluation {
        try prepareReference()
        let solution = solved.value as! F.Solution
        let tolerances = Tolerances.resolve(overrides, specs: family.tolerances, precision: solved.precision)
        return Evaluation(metrics: family.compare(solution, with: reference!, tolerances: tolerances),
                          estimates: family.estimates(of: solution))
    }
}
