import GenoBenchCore

/// LD among the k instruments as the estimator uses it (spec peg.md §4.9–4.10): the identity
/// (the default LD-pruned path), or a block-diagonal V whose blocks are consecutive runs of
/// instruments (one block per chromosome on the `--mr-ld` path, each R_c + λ·I).
public enum InstrumentLD: Sendable, Equatable {
    case identity
    case blocks([LDBlock])

    public var isIdentity: Bool { if case .identity = self { true } else { false } }

    /// Blocks covering 0..<k (the identity as k one-by-one blocks is never materialised).
    public var blocks: [LDBlock] { if case .blocks(let b) = self { b } else { [] } }
}

/// One diagonal block of V: instruments `start ..< start + size`, a symmetric positive-definite
/// matrix in double precision (column-major).
public struct LDBlock: Sendable, Equatable {
    public var start: Int
    public var matrix: Matrix<Double>
    public var size: Int { matrix.rows }
    public var range: Range<Int> { start..<(start + size) }

    public init(start: Int, matrix: Matrix<Double>) {
        self.start = start
        self.matrix = matrix
    }
}

/// One PEG analysis after preprocessing (spec peg.md §5–6): the inputs of the estimator, the
/// permutation stream, and the names to report. All values are double precision; a backend
/// converts them to its own precision.
///
/// β (k), s (k), z (k), Π (k x t, column j = downstream gene j), V (k x k); draws of the stream
/// permute the rows of Π jointly for all t genes.
public struct PEGProblem: Sendable {
    public let beta: [Double]
    public let standardErrors: [Double]
    public let eqtlZ: [Double]
    /// k x t, column-major.
    public let perturbation: Matrix<Double>
    public let ld: InstrumentLD
    /// `--alt`: regress β on m_j = D V D⁻¹ V⁻¹ x_j instead of x_j (spec §5.3).
    public let alternative: Bool
    public let permutations: PermutationStream
    /// Downstream (focal) gene names, one per column of Π.
    public let geneNames: [String]

    /// Bookkeeping for the output (spec §4.11); not used by the estimator.
    public var instrumentIDs: [String] = []
    public var instrumentGenes: [String] = []
    /// Simulated true γ per focal gene, if known.
    public var truth: [Double]?
    /// The GSL reference skips the permutation null when P·t·Σ(block size)² exceeds this
    /// (its whitening costs that many flops; the point estimates are always compared).
    public var referenceMaxWork: Double = 5e10

    public var instrumentCount: Int { beta.count }
    public var geneCount: Int { perturbation.columns }
    public var permutationCount: Int { permutations.count }

    /// Checks shapes and values once, where the problem is built: finite inputs, s > 0,
    /// k ≥ 2 (the t test has k − 1 degrees of freedom), t ≥ 1, P ≥ 1, blocks that tile 0..<k
    /// and are symmetric.
    public init(beta: [Double], standardErrors: [Double], eqtlZ: [Double], perturbation: Matrix<Double>,
                ld: InstrumentLD, alternative: Bool = false, permutations: PermutationStream, geneNames: [String]? = nil) throws {
        let k = beta.count
        func fail(_ m: String) -> PEGError { .invalidInput(m) }
        guard k >= 2 else { throw fail("need at least 2 instruments (the t test has k − 1 degrees of freedom), have \(k)") }
        guard standardErrors.count == k, eqtlZ.count == k, perturbation.rows == k else {
            throw fail("dimension mismatch: β has \(k) entries, s \(standardErrors.count), z \(eqtlZ.count), Π \(perturbation.rows) rows")
        }
        guard perturbation.columns >= 1 else { throw fail("no downstream gene to test") }
        guard permutations.count >= 1 else { throw fail("need at least one permutation") }
        guard permutations.length == k else { throw fail("permutations have length \(permutations.length), expected k = \(k)") }
        if let i = beta.firstIndex(where: { !$0.isFinite }) { throw fail("β[\(i)] is not finite") }
        if let i = eqtlZ.firstIndex(where: { !$0.isFinite }) { throw fail("z[\(i)] is not finite") }
        if let i = standardErrors.firstIndex(where: { !($0 > 0 && $0.isFinite) }) { throw fail("s[\(i)] = \(standardErrors[i]) is not a positive finite number") }
        if perturbation.storage.contains(where: { !$0.isFinite }) { throw fail("Π has a non-finite entry") }
        if case .blocks(let blocks) = ld {
            var next = 0
            for (b, block) in blocks.enumerated() {
                guard block.start == next, block.matrix.rows == block.matrix.columns, block.size >= 1 else {
                    throw fail("LD block \(b + 1) does not continue the tiling of 0..<\(k) at \(next)")
                }
                for j in 0..<block.size {
                    for i in 0..<block.size where block.matrix[i, j] != block.matrix[j, i] || !block.matrix[i, j].isFinite {
                        throw fail("LD block \(b + 1) is not symmetric and finite at (\(i), \(j))")
                    }
                }
                next += block.size
            }
            guard next == k else { throw fail("LD blocks cover \(next) instruments, expected \(k)") }
        }
        let names = geneNames ?? (0..<perturbation.columns).map { "gene\($0 + 1)" }
        guard names.count == perturbation.columns else { throw fail("\(names.count) gene names for \(perturbation.columns) columns") }
        self.beta = beta
        self.standardErrors = standardErrors
        self.eqtlZ = eqtlZ
        self.perturbation = perturbation
        self.ld = ld
        self.alternative = alternative
        self.permutations = permutations
        self.geneNames = names
    }

    /// Σ over LD blocks of size² (k for the identity): the per-draw, per-gene cost of a
    /// quadratic form with the weight matrix.
    public var quadraticWork: Double {
        switch ld {
        case .identity: Double(instrumentCount)
        case .blocks(let b): b.reduce(0) { $0 + Double($1.size * $1.size) }
        }
    }
}
