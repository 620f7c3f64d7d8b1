import GenoBenchCore
import GenoBenchData
import GenoBenchREML
import XCTest
import _GenoBenchTestSupport

/// Spec reml.md T7–T10 through the exact backend: scale and shift equivariance, sample and SNP
/// permutation and allele flips, nested and duplicated components, K = I.
final class REMLInvarianceTests: XCTestCase {
    let family = REMLFamily()

    func problem(_ values: [String: ParameterValue], seed: UInt64) throws -> REMLProblem {
        try family.makeProblem(try ProblemParameters.resolve(values, specs: family.parameters, family: "reml"), seed: seed)
    }

    func exact(_ p: REMLProblem) throws -> REMLEstimates {
        try ExactREML<Double>().solve(p, context: RunContext(threads: 2)).solution.estimates
    }

    /// The phenotype on its own scale (REMLData keeps the standardised one).
    func phenotype(_ d: REMLData) -> [Double] { d.y.map { $0 * d.yScale + d.yMean } }

    /// Dosages (nil = missing) of `variants` over `samples` of a packed source.
    func dosages(_ g: PackedGenotypes, variants: [Int], samples: [Int]) -> [[Int?]] {
        variants.map { v in samples.map { s in
            let d = GenotypeCode.allele1Dosage[Int(g.code(sample: s, variant: v))]
            return d < 0 ? nil : Int(d)
        } }
    }

    /// T7: y → 3y + 5 + Xb multiplies θ, η and their SEs by 9, leaves h² alone and shifts ℓ_R
    /// by −(n − p)·log 3. (Both fits stop at the strict rules' 1e−10 relative step, so they
    /// agree to about 1e−8, not to the spec's 1e−9.)
    func testScaleAndShiftEquivarianceT7() throws {
        let pr = try problem(["samples": .int(300), "variants": .int(600), "h2": .double(0.4)], seed: 31)
        let y = phenotype(pr.data), x = pr.data.design
        let b = (0..<x.columns).map { Double($0) + 0.5 }
        let shifted = (0..<y.count).map { i in 3 * y[i] + 5 + (0..<x.columns).reduce(0.0) { $0 + x[i, $1] * b[$1] } }
        let moved = try REMLProblem(data: REMLData(phenotype: shifted, design: x), inputs: pr.inputs, samples: pr.samples)
        let a = try exact(pr), c = try exact(moved)
        XCTAssert(a.converged && c.converged)
        for i in 0..<2 {
            assertClose(c.variances[i], 9 * a.variances[i], relative: 1e-7, "ψ\(i)")
            assertClose(c.standardErrors[i], 9 * a.standardErrors[i], relative: 1e-6, "SE ψ\(i)")
        }
        assertClose(c.h2, a.h2, absolute: 1e-8, "h²")
        let shift = -Double(pr.sampleCount - x.columns) * Double.log(3)
        assertClose(c.logL, a.logL + shift, relative: 1e-9, "ℓ_R")
    }

    /// T8: permuting samples consistently, permuting SNP order or flipping alleles (g → 2 − g)
    /// leaves the GRM and the fit unchanged.
    func testPermutationAndAlleleFlipInvarianceT8() throws {
        let pr = try problem(["samples": .int(250), "variants": .int(500)], seed: 32)
        let source = try XCTUnwrap(pr.inputs[0].source as? PackedGenotypes)
        let n = pr.sampleCount, m = pr.inputs[0].variants.count
        let base = try exact(pr)
        var rng = RandomSource(seed: 32)
        let order = Array(0..<n).shuffled(using: &rng)
        let snpOrder = Array(0..<m).shuffled(using: &rng)
        let y = phenotype(pr.data), x = pr.data.design
        let original = dosages(source, variants: pr.inputs[0].variants, samples: pr.samples)
        // Samples permuted (genotypes, y, X together).
        let permuted = PackedGenotypes(sampleCount: n, dosages: original.map { row in order.map { row[$0] } })
        var px = Matrix<Double>(rows: n, columns: x.columns)
        for i in 0..<n { for j in 0..<x.columns { px[i, j] = x[order[i], j] } }
        let pp = try REMLProblem(data: REMLData(phenotype: order.map { y[$0] }, design: px),
                                 inputs: [ComponentInput(name: "G1", source: permuted, variants: Array(0..<m))], samples: Array(0..<n))
        let e = try exact(pp)
        for i in 0..<2 { assertClose(e.variances[i], base.variances[i], relative: 1e-8, "samples permuted: ψ\(i)") }
        assertClose(e.logL, base.logL, relative: 1e-10, "samples permuted: ℓ_R")
        // SNPs reordered and every allele flipped.
        let flipped = PackedGenotypes(sampleCount: n, dosages: snpOrder.map { v in original[v].map { $0.map { 2 - $0 } } })
        let fp = try REMLProblem(data: REMLData(phenotype: y, design: x),
                                 inputs: [ComponentInput(name: "G1", source: flipped, variants: Array(0..<m))], samples: Array(0..<n))
        let k0 = try KernelOperator<Double>(components: pr.components, context: RunContext()).dense(0)
        let k1 = try KernelOperator<Double>(components: fp.components, context: RunContext()).dense(0)
        let worst = zip(k0.storage, k1.storage).map { abs($0 - $1) }.max() ?? .nan
        XCTAssertLessThanOrEqual(worst, 1e-13, "GRM after reordering and flipping")
        let f = try exact(fp)
        for i in 0..<2 { assertClose(f.variances[i], base.variances[i], relative: 1e-8, "flipped: ψ\(i)") }
    }

    /// T9: splitting one GRM's SNPs into two components never lowers ℓ_R; duplicating a GRM
    /// gives θ₁ + θ₂ = θ and does not crash on the singular AI.
    func testNestedAndDuplicatedComponentsT9() throws {
        let two = try problem(["samples": .int(300), "variants": .int(600), "components": .int(2)], seed: 33)
        let all = two.inputs.flatMap(\.variants).sorted()
        let source = two.inputs[0].source
        let one = try REMLProblem(data: two.data, inputs: [ComponentInput(name: "G", source: source, variants: all)], samples: two.samples)
        let e1 = try exact(one), e2 = try exact(two)
        XCTAssertGreaterThanOrEqual(e2.logL, e1.logL - 1e-9, "ℓ_R(2 components) ≥ ℓ_R(1)")
        let dup = try REMLProblem(data: two.data, inputs: [ComponentInput(name: "A", source: source, variants: all),
                                                             ComponentInput(name: "B", source: source, variants: all)], samples: two.samples)
        let ed = try exact(dup)
        assertClose(ed.variances[0] + ed.variances[1], e1.variances[0], relative: 1e-6, "θ₁ + θ₂ = θ")
        assertClose(ed.variances[2], e1.variances[1], relative: 1e-6, "η")
        assertClose(ed.logL, e1.logL, relative: 1e-9, "ℓ_R")
    }

    /// T10: with K = I, θ and η are not separately identified, but θ + η is the REML residual
    /// variance RSS/(n − p).
    func testIdentityKernelNonIdentifiabilityT10() throws {
        let n = 40
        var rng = RandomSource(seed: 34)
        var x = Matrix<Double>(rows: n, columns: 2, repeating: 1)
        for i in 0..<n { x[i, 1] = rng.nextNormal() }
        let y = (0..<n).map { 1 + 0.5 * x[$0, 1] + rng.nextNormal() }
        let data = REMLData(phenotype: y, design: x)
        var o = DenseObjective(kernels: [Matrix<Double>.identity(n)], atoms: [1], data: data)
        let fit = try AIREML(settings: .strict).fit(&o, sampleCount: n)
        // OLS residual sum of squares of the standardised phenotype.
        let xtx = x.multiplied(by: x, transposeSelf: true)
        let xty = x.multiplied(by: Matrix(rows: n, columns: 1, columnMajor: data.y), transposeSelf: true)
        let beta = try xtx.solvePositiveDefinite(xty).get()
        let rss = (0..<n).reduce(0.0) { acc, i in
            let r = data.y[i] - x[i, 0] * beta[0, 0] - x[i, 1] * beta[1, 0]
            return acc + r * r
        }
        assertClose(fit.psi[0] + fit.psi[1], rss / Double(n - 2), relative: 1e-9, "θ + η = RSS/(n − p)")
    }
}
