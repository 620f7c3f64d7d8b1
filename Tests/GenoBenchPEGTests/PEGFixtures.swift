import GenoBenchCore
import GenoBenchPEG
import XCTest

/// Small problems and helpers shared by the PEG tests.
enum PEGFixtures {
    /// Every backend of the family, both precisions.
    static let backends: [any Backend<PEGFamily>] = [LoopPEG<Float>(), LoopPEG<Double>(), BatchedPEG<Float>(), BatchedPEG<Double>()]
    static let doubleBackends: [any Backend<PEGFamily>] = [LoopPEG<Double>(), BatchedPEG<Double>()]

    static func problem(beta: [Double], se: [Double], z: [Double], pi: [[Double]], ld: InstrumentLD = .identity, alt: Bool = false,
                        permutations: PermutationStream? = nil, count: Int = 200, seed: UInt64 = 7) throws -> PEGProblem {
        try PEGProblem(beta: beta, standardErrors: se, eqtlZ: z, perturbation: Matrix(pi), ld: ld, alternative: alt,
                       permutations: permutations ?? PermutationStream(seed: seed, count: count, length: beta.count))
    }

    static func solve(_ b: any Backend<PEGFamily>, _ p: PEGProblem, threads: Int = 2) throws -> PEGSolution {
        try b.solve(p, context: RunContext(threads: threads)).solution
    }

    /// AR(1) correlation ρ^|i−j| plus `ridge`·I.
    static func ar1(_ k: Int, rho: Double, ridge: Double = 0.001) -> Matrix<Double> {
        var m = Matrix<Double>(rows: k, columns: k)
        for i in 0..<k { for j in 0..<k { m[i, j] = pow(rho, Double(abs(i - j))) + (i == j ? ridge : 0) } }
        return m
    }

    /// A random symmetric positive definite k x k matrix Q·diag(λ)·Qᵀ with eigenvalues log-spaced
    /// from 1 to 1/`condition` (so its 2-norm condition number is `condition`) and Q a random
    /// rotation (Gram–Schmidt, twice, on a Gaussian matrix).
    static func randomSPD(_ k: Int, condition: Double, rng: inout RandomSource) -> Matrix<Double> {
        var q = (0..<k).map { _ in (0..<k).map { _ in rng.nextNormal() } }   // q[c] is column c
        for c in 0..<k {
            for _ in 0..<2 {
                for d in 0..<c {
                    let dot = zip(q[c], q[d]).reduce(0) { $0 + $1.0 * $1.1 }
                    for i in 0..<k { q[c][i] -= dot * q[d][i] }
                }
            }
            let norm = q[c].reduce(0) { $0 + $1 * $1 }.squareRoot()
            q[c] = q[c].map { $0 / norm }
        }
        let lambda = (0..<k).map { pow(condition, -Double($0) / Double(max(k - 1, 1))) }
        var m = Matrix<Double>(rows: k, columns: k)
        for i in 0..<k {
            for j in 0...i {
                var sum = 0.0
                for c in 0..<k { sum += q[c][i] * lambda[c] * q[c][j] }
                m[i, j] = sum; m[j, i] = sum
            }
        }
        return m
    }

    /// The inverse of a square matrix by Gauss–Jordan elimination with partial pivoting (a general
    /// inverse, as mrpeg's `jnp.linalg.inv`); nil if a pivot is exactly zero.
    static func generalInverse(_ a: [[Double]]) -> [[Double]]? {
        let n = a.count
        var m = a, inv = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for c in 0..<n {
            guard let p = (c..<n).max(by: { abs(m[$0][c]) < abs(m[$1][c]) }), m[p][c] != 0 else { return nil }
            m.swapAt(c, p); inv.swapAt(c, p)
            let pivot = m[c][c]
            for j in 0..<n { m[c][j] /= pivot; inv[c][j] /= pivot }
            for r in 0..<n where r != c && m[r][c] != 0 {
                let f = m[r][c]
                for j in 0..<n { m[r][j] -= f * m[c][j]; inv[r][j] -= f * inv[c][j] }
            }
        }
        return inv
    }

    /// Spec §14 test 3.
    static func ldExample(alt: Bool = false) throws -> PEGProblem {
        try problem(beta: [0.15, -0.05, -0.2, 0.3, -0.1], se: [0.1, 0.12, 0.09, 0.11, 0.1], z: [3, -2.5, 4, 2, -3.5],
                    pi: [[0.5, -0.2], [0.1, 0.4], [-0.3, 0.3], [0.6, 0], [0.2, -0.5]],
                    ld: .blocks([LDBlock(start: 0, matrix: ar1(5, rho: 0.5))]), alt: alt)
    }

    /// Random data: k instruments, t genes, dense Π, SEs in [0.5, 1.5]·s0, optional LD blocks.
    static func random(k: Int, t: Int, blocks: [Int]? = nil, rho: Double = 0.4, alt: Bool = false, count: Int = 1000,
                       seed: UInt64 = 11, constantColumn: Bool = false) throws -> PEGProblem {
        var rng = RandomSource(seed: seed)
        let beta = (0..<k).map { _ in 0.01 * rng.nextNormal() }
        let se = (0..<k).map { _ in 0.01 * (0.5 + rng.nextUniform()) }
        let z = (0..<k).map { _ in 3 + 3 * rng.nextNormal() }
        var pi = (0..<k).map { _ in (0..<t).map { _ in rng.nextNormal() } }
        if constantColumn { for i in 0..<k { pi[i][0] = 0.7 } }
        var ld = InstrumentLD.identity
        if let blocks {
            var start = 0
            ld = .blocks(blocks.map { size in
                defer { start += size }
                return LDBlock(start: start, matrix: ar1(size, rho: rho))
            })
        }
        return try problem(beta: beta, se: se, z: z, pi: pi, ld: ld, alt: alt, count: count, seed: seed + 1)
    }
}
