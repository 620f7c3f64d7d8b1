import GenoBenchCore

/// Settings of the matrix-free stochastic REML (spec reml.md §3.10; GPU_REML FitConfig and CLI
/// defaults).
public struct StochasticSettings: Sendable, Equatable {
    /// Hutchinson probes (n_rand_vec), Rademacher, fixed for the whole fit.
    public var probes = 100
    public var maxPCGIterations = 400
    public var pcgCheckEvery = 2
    /// Stochastic Lanczos quadrature probes and steps (the CLI's 4 / 8).
    public var slqSamples = 4
    public var slqSteps = 8
    /// Projected-core preconditioner rank; nil = min(500, n, SNPs), 0 = none.
    public var preconditionerRank: Int?
    public var oversampling = 8
    /// Rebuild the preconditioner after an accepted step with max relative change ≥ this (G > 1).
    public var refreshRelativeStep = 0.20
    public var pcgRidge = 1e-6
    public var seed: UInt64 = 0
    /// PCG tolerances at outer iteration 0 (warm-up), 1, and from 2 on.
    public var pcgTolerances = [1e-2, 5e-3, 1e-3]
    /// How log|H| is estimated with several components (one component is always affine).
    public var slqMode = SLQMode.residual
    public init() {}

    /// Rejects settings no fit can use, naming the command-line option.
    public func validate() throws {
        func need(_ ok: Bool, _ message: String) throws { if !ok { throw REMLError.invalidOption(message) } }
        try need(probes >= 1, "--probes must be at least 1")
        try need(slqSamples >= 1 && slqSteps >= 1, "--slq-samples and --slq-steps must be at least 1")
        try need(maxPCGIterations >= 1, "--pcg-max-iter must be at least 1")
        try need(pcgCheckEvery >= 1, "--pcg-check-every must be at least 1")
        try need((preconditionerRank ?? 0) >= 0, "--precond-rank must be 0 or more")
        try need(oversampling >= 0, "--precond-oversampling must be 0 or more")
        try need(refreshRelativeStep >= 0 && refreshRelativeStep.isFinite, "--precond-refresh must be a number ≥ 0 (0 = never)")
        try need(pcgRidge >= 0 && pcgRidge.isFinite, "--pcg-ridge must be a number ≥ 0")
        try need(pcgTolerances.count == 3 && pcgTolerances.allSatisfy { $0 > 0 && $0 < 1 },
                 "--pcg-tol needs three tolerances in (0, 1): warm-up, early, default (e.g. 1e-2,5e-3,1e-3)")
    }

    /// PCG tolerance by outer iteration: 1e−2 (warm-up), 5e−3, then 1e−3 by default.
    public func pcgTolerance(iteration: Int) -> Double { pcgTolerances[min(max(iteration, 0), pcgTolerances.count - 1)] }
}

/// Log-determinant estimation for several components (spec reml.md §3.7).
public enum SLQMode: String, Sendable, CaseIterable {
    /// `projected_core_residual`: log|H| = log|M| + SLQ(M^{−½} H M^{−½}), M the preconditioner
    /// (exact log-determinant of the captured spectrum, Lanczos only on the flat residual).
    case residual
    /// Lanczos on H directly.
    case raw
}

/// Column-major n x c block of `T` with the few operations the iterative solver needs.
struct Block<T: Scalar> {
    var n: Int
    var columns: Int
    var values: [T]

    init(n: Int, columns: Int, repeating v: T = 0) { self.n = n; self.columns = columns; values = [T](repeating: v, count: n * columns) }
    init(n: Int, columns: Int, values: [T]) { self.n = n; self.columns = columns; self.values = values }

    func column(_ j: Int) -> ArraySlice<T> { values[(j * n)..<((j + 1) * n)] }

    /// Column-wise dot products with `other`, accumulated in Double.
    func columnDots(_ other: Block) -> [Double] {
        var out = [Double](repeating: 0, count: columns)
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                for j in 0..<columns {
                    var s = 0.0
                    let base = j * n
                    for i in 0..<n { s += Double(a[base + i]) * Double(b[base + i]) }
                    out[j] = s
                }
            }
        }
        return out
    }

    /// self[:, j] += w[j]·x[:, j].
    mutating func addScaledColumns(_ x: Block, _ w: [Double]) {
        let n = self.n
        values.withUnsafeMutableBufferPointer { a in
            x.values.withUnsafeBufferPointer { b in
                for j in 0..<columns {
                    let s = T(w[j]), base = j * n
                    if s == 0 { continue }
                    for i in 0..<n { a[base + i] += s * b[base + i] }
                }
            }
        }
    }

    /// self[:, j] = x[:, j] + w[j]·self[:, j].
    mutating func scaleColumnsAndAdd(_ w: [Double], _ x: Block) {
        let n = self.n
        values.withUnsafeMutableBufferPointer { a in
            x.values.withUnsafeBufferPointer { b in
                for j in 0..<columns {
                    let s = T(w[j]), base = j * n
                    for i in 0..<n { a[base + i] = b[base + i] + s * a[base + i] }
                }
            }
        }
    }

    static func - (a: Block, b: Block) -> Block {
        var out = a
        for i in 0..<out.values.count { out.values[i] -= b.values[i] }
        return out
    }

    static func + (a: Block, b: Block) -> Block {
        var out = a
        for i in 0..<out.values.count { out.values[i] += b.values[i] }
        return out
    }
}

/// The matrix-free REML evaluation of spec reml.md §3.4: H is applied from the packed genotypes
/// (`KernelOperator`), H⁻¹[X | y | Z] by block PCG with a projected-core preconditioner,
/// tr(P A_i) by Hutchinson with Rademacher probes, log|H| by stochastic Lanczos quadrature
/// (affine for one GRM, raw Lanczos on H otherwise), the AI exactly up to the PCG tolerance.
/// Memory is O(n·(p + 1 + probes)) plus one decoded genotype block.
public struct StochasticObjective<T: Scalar>: REMLObjective {
    public let atoms: [Double]
    let op: KernelOperator<T>
    let settings: StochasticSettings
    let n: Int, p: Int, g: Int
    let x: Block<T>
    let y: [T]
    let probes: Block<T>
    let kz: [Block<T>]
    let rhs: Block<T>
    var warm: Block<T>?
    var warmAI: Block<T>?
    // Preconditioner: M = dI + U(Σθ_g C_g)Uᵀ.
    var basis: Block<T>?
    var cores: [Matrix<Double>] = []
    // SLQ probes (columns z/√n) and, for one GRM, the Lanczos coefficients of K.
    let slqProbes: Block<T>
    var affine: [(alpha: [Double], beta: [Double])]?
    // Counters.
    public private(set) var pcgIterations = 0
    public private(set) var aiPCGIterations = 0
    public private(set) var preconditionerBuilds = 0
    var lastPCGResidual = 0.0
    /// Right-hand-side columns per block PCG solve (`Int.max`: all at once).
    let batchColumns: Int

    /// `batchColumns` (nil: all at once) caps the right-hand-side columns one block PCG solves
    /// at a time ([X | y | probes] are solved in column batches of that size, each with its own
    /// convergence check): the solver's scratch is then O(n·batchColumns) instead of
    /// O(n·(p + 1 + probes)), at the price of one genotype sweep per batch and iteration.
    public init(operator op: KernelOperator<T>, data: REMLData, settings: StochasticSettings, startPsi: [Double],
                batchColumns: Int? = nil) throws {
        self.op = op
        self.settings = settings
        self.batchColumns = max(1, batchColumns ?? Int.max)
        let n = data.sampleCount
        self.n = n
        p = data.fixedCount
        g = op.components.count
        atoms = op.components.map(\.atom)
        x = Block(n: n, columns: p, values: data.design.storage.map { T($0) })
        y = data.y.map { T($0) }
        var rng = RandomSource.derived(seed: settings.seed, stream: 1)
        let r = settings.probes
        probes = Block(n: n, columns: r, values: (0..<(n * r)).map { _ in rng.next() & 1 == 0 ? T(1) : T(-1) })
        let stacked = try op.stacked(probes.values, columns: r)
        kz = stacked.map { Block(n: n, columns: r, values: $0) }
        rhs = Block(n: n, columns: p + 1 + r, values: x.values + y + probes.values)
        var slqRNG = RandomSource.derived(seed: settings.seed, stream: 2)
        let s = settings.slqSamples
        let inv = 1 / Double(n).squareRoot()
        slqProbes = Block(n: n, columns: s, values: (0..<(n * s)).map { _ in T(slqRNG.next() & 1 == 0 ? inv : -inv) })
        if g == 1 {
            affine = try lanczos { v in try op.stacked(v.values, columns: v.columns)[0] }
        }
        let snps = op.components.map(\.effectiveCount).reduce(0, +)
        let rank = settings.preconditionerRank ?? min(500, n, snps)
        if rank > 0 { try buildPreconditioner(rank: min(rank, n), theta: Array(startPsi[0..<g])) }
    }

    public var diagnostics: Diagnostics {
        var d = Diagnostics()
        d.set("pcg_iterations", pcgIterations)
        d.set("ai_pcg_iterations", aiPCGIterations)
        d.set("operator_passes", op.passes)
        d.set("operator_column_passes", op.columnPasses)
        d.set("preconditioner_builds", preconditionerBuilds)
        d.set("preconditioner_rank", basis?.columns ?? 0)
        d.set("probes", settings.probes)
        d.set("slq", "\(settings.slqSamples)x\(settings.slqSteps) \(g == 1 ? "affine" : settings.slqMode.rawValue)")
        d.set("last_pcg_relative_residual", lastPCGResidual)
        return d
    }

    // MARK: - Operator and preconditioner

    func applyH(_ v: Block<T>, _ psi: [Double]) throws -> Block<T> {
        var out = Block(n: n, columns: v.columns, values: try op.weighted(v.values, columns: v.columns, weights: Array(psi[0..<g])))
        out.addScaledColumns(v, [Double](repeating: psi[g], count: v.columns))
        return out
    }

    /// Randomised range finder on K_ref = Σθ_ref,g K_g (θ_ref normalised to sum 1), then the
    /// cores C_g = Uᵀ K_g U − a_g I (spec §3.6).
    mutating func buildPreconditioner(rank: Int, theta: [Double]) throws {
        var ref = theta.map { max($0, 0) }
        if ref.reduce(0, +) <= 0 { ref = [Double](repeating: 1, count: g) }
        let total = ref.reduce(0, +)
        ref = ref.map { $0 / total }
        let width = min(n, rank + settings.oversampling)
        var rng = RandomSource.derived(seed: settings.seed, stream: 3)
        let omega = (0..<(n * width)).map { _ in T(rng.nextNormal()) }
        let sketch = try op.weighted(omega, columns: width, weights: ref)
        guard let q = Self.orthonormalize(Matrix(rows: n, columns: width, columnMajor: sketch)) else { basis = nil; return }
        let kq = try op.stacked(q.storage, columns: q.columns)
        var b = Matrix<Double>(rows: q.columns, columns: q.columns)
        var perComponent: [Matrix<Double>] = []
        for c in 0..<g {
            let m = q.multiplied(by: Matrix(rows: n, columns: q.columns, columnMajor: kq[c]), transposeSelf: true)
            let md = Matrix<Double>(rows: m.rows, columns: m.columns, columnMajor: m.storage.map { Double($0) })
            perComponent.append(md)
            for i in 0..<md.storage.count { b.storage[i] += ref[c] * md.storage[i] }
        }
        b.symmetrizeByAveraging()
        guard case .success(let (_, vectors)) = b.symmetricEigen() else { basis = nil; return }
        // Top `rank` eigenvectors (syevd sorts ascending).
        let r = min(rank, q.columns)
        var top = Matrix<Double>(rows: q.columns, columns: r)
        for j in 0..<r { for i in 0..<q.columns { top[i, j] = vectors[i, q.columns - 1 - j] } }
        let topT = Matrix<T>(rows: top.rows, columns: r, columnMajor: top.storage.map { T($0) })
        let u = q.multiplied(by: topT)
        basis = Block(n: n, columns: r, values: u.storage)
        cores = perComponent.enumerated().map { c, m in
            var core = top.multiplied(by: m.multiplied(by: top), transposeSelf: true)
            core.symmetrizeByAveraging()
            for i in 0..<r { core[i, i] -= atoms[c] }
            return core
        }
        preconditionerBuilds += 1
    }

    /// An orthonormal basis of the columns of `y` (eigen-based Gram orthonormalisation, twice).
    static func orthonormalize(_ y: Matrix<T>) -> Matrix<T>? {
        var q = y
        for _ in 0..<2 {
            let gram = q.gram()
            let gd = Matrix<Double>(rows: gram.rows, columns: gram.columns, columnMajor: gram.storage.map { Double($0) })
            guard case .success(let (values, vectors)) = gd.symmetricEigen() else { return nil }
            let maxValue = values.storage.last ?? 0
            let keep = (0..<values.count).filter { values[$0] > maxValue * 1e-10 && values[$0] > 0 }
            if keep.isEmpty { return nil }
            var t = Matrix<T>(rows: gd.rows, columns: keep.count)
            for (c, j) in keep.enumerated() {
                let s = 1 / values[j].squareRoot()
                for i in 0..<gd.rows { t[i, c] = T(vectors[i, j] * s) }
            }
            q = q.multiplied(by: t)
        }
        return q
    }

    /// M(ψ) = dI + U S Uᵀ with S = Σθ_g C_g, held as d and the eigendecomposition of dI + S
    /// (eigenvalues μ floored at 1e−8; UᵀU = I): M^a v = d^a v + U[V diag(μ^a) Vᵀ − d^a I]Uᵀv and
    /// log|M| = (n − r) log d + Σ log μ.
    struct Preconditioner {
        let d: Double
        let n: Int
        let u: Matrix<T>?
        let vectors: Matrix<Double>
        let mu: [Double]

        var logDeterminant: Double { Double(n - mu.count) * Double.log(d) + mu.reduce(0) { $0 + Double.log($1) } }

        func power(_ a: Double) -> (Block<T>) -> Block<T> {
            let da = Double.pow(d, a)
            guard let u else {
                return { v in
                    var out = v
                    for i in 0..<out.values.count { out.values[i] *= T(da) }
                    return out
                }
            }
            // V diag(μ^a) Vᵀ − d^a I by one gemm.
            let r = mu.count
            var scaled = vectors
            for k in 0..<r {
                let w = Double.pow(mu[k], a)
                for i in 0..<r { scaled.storage[i + k * r] *= w }
            }
            var middle = scaled.multiplied(by: vectors, transposeOther: true)
            for i in 0..<r { middle[i, i] -= da }
            let mid = Matrix<T>(rows: r, columns: r, columnMajor: middle.storage.map { T($0) })
            return { v in
                let vm = Matrix<T>(rows: v.n, columns: v.columns, columnMajor: v.values)
                let t = mid.multiplied(by: u.multiplied(by: vm, transposeSelf: true))
                var out = Block(n: v.n, columns: v.columns, values: u.multiplied(by: t).storage)
                out.addScaledColumns(v, [Double](repeating: da, count: v.columns))
                return out
            }
        }
    }

    func preconditioner(_ psi: [Double]) -> Preconditioner {
        var d = settings.pcgRidge + psi[g]
        for c in 0..<g { d += psi[c] * atoms[c] }
        d = max(d, 1e-8)
        guard let basis else { return Preconditioner(d: d, n: n, u: nil, vectors: Matrix(rows: 0, columns: 0), mu: []) }
        let r = basis.columns
        var core = Matrix<Double>.identity(r)
        for i in 0..<r { core[i, i] = d }
        for c in 0..<g where psi[c] != 0 { for i in 0..<core.storage.count { core.storage[i] += psi[c] * cores[c].storage[i] } }
        guard case .success(let (values, vectors)) = core.symmetricEigen() else {
            return Preconditioner(d: d, n: n, u: nil, vectors: Matrix(rows: 0, columns: 0), mu: [])
        }
        return Preconditioner(d: d, n: n, u: Matrix(rows: n, columns: r, columnMajor: basis.values), vectors: vectors,
                              mu: values.storage.map { max($0, 1e-8) })
    }

    // MARK: - Solvers

    /// Block PCG on H S = B with per-column step lengths (spec §3.5). Returns nil when a column
    /// misses the tolerance (relative residual > 1.05·tol) or goes non-finite.
    mutating func pcg(_ b: Block<T>, _ psi: [Double], preconditioner minv: (Block<T>) -> Block<T>, guess: Block<T>?, tolerance: Double,
                      counter: inout Int) throws -> (x: Block<T>, r: Block<T>)? {
        if b.columns <= batchColumns {
            return try pcgBlock(b, psi, preconditioner: minv, guess: guess, tolerance: tolerance, counter: &counter)
        }
        // Column batches: every column's recurrence is independent of the others (per-column
        // step lengths); only the stopping test is per batch instead of over all columns.
        var xs = Block<T>(n: n, columns: b.columns), rs = Block<T>(n: n, columns: b.columns)
        var worstSeen = 0.0
        for lo in stride(from: 0, to: b.columns, by: batchColumns) {
            let hi = min(b.columns, lo + batchColumns)
            let slice = Block(n: n, columns: hi - lo, values: Array(b.values[(lo * n)..<(hi * n)]))
            let g = guess.map { Block(n: n, columns: hi - lo, values: Array($0.values[(lo * n)..<(hi * n)])) }
            guard let (x, r) = try pcgBlock(slice, psi, preconditioner: minv, guess: g, tolerance: tolerance, counter: &counter) else { return nil }
            worstSeen = max(worstSeen, lastPCGResidual)
            xs.values.replaceSubrange((lo * n)..<(hi * n), with: x.values)
            rs.values.replaceSubrange((lo * n)..<(hi * n), with: r.values)
        }
        lastPCGResidual = worstSeen
        return (xs, rs)
    }

    /// One block PCG over all columns of `b`.
    mutating func pcgBlock(_ b: Block<T>, _ psi: [Double], preconditioner minv: (Block<T>) -> Block<T>, guess: Block<T>?, tolerance: Double,
                           counter: inout Int) throws -> (x: Block<T>, r: Block<T>)? {
        var xs: Block<T>
        var r: Block<T>
        if let guess {
            r = b - (try applyH(guess, psi))
            xs = guess + minv(r)  // defect-corrected warm start
            r = b - (try applyH(xs, psi))
        } else {
            xs = minv(b)
            r = b - (try applyH(xs, psi))
        }
        let bnorm = b.columnDots(b).map { $0.squareRoot() + 1e-12 }
        func worst(_ r: Block<T>) -> Double {
            let rn = r.columnDots(r)
            return zip(rn, bnorm).map { $0.squareRoot() / $1 }.max() ?? 0
        }
        var rel = worst(r)
        if rel <= tolerance { lastPCGResidual = rel; return (xs, r) }
        var z = minv(r)
        var dir = z
        var rz = r.columnDots(z)
        for it in 1...settings.maxPCGIterations {
            counter += 1
            try op.context.checkCancellation("PCG iteration \(it)")
            let hp = try applyH(dir, psi)
            let php = dir.columnDots(hp)
            let alpha = zip(rz, php).map { $0 / ($1 + 1e-12) }
            xs.addScaledColumns(dir, alpha)
            r.addScaledColumns(hp, alpha.map { -$0 })
            if it % settings.pcgCheckEvery == 0 || it == settings.maxPCGIterations {
                rel = worst(r)
                if !rel.isFinite { return nil }
                if rel <= tolerance { break }
            }
            z = minv(r)
            let rzNew = r.columnDots(z)
            let beta = zip(rzNew, rz).map { $0 / ($1 + 1e-12) }
            dir.scaleColumnsAndAdd(beta, z)
            rz = rzNew
        }
        lastPCGResidual = rel
        return rel <= 1.05 * tolerance && rel.isFinite ? (xs, r) : nil
    }

    /// Lanczos (three-term recurrence, no re-orthogonalisation) from every SLQ probe at once,
    /// `slqSteps` steps: the tridiagonal coefficients per probe.
    func lanczos(_ apply: (Block<T>) throws -> [T]) rethrows -> [(alpha: [Double], beta: [Double])] {
        let s = slqProbes.columns, m = settings.slqSteps
        var v = slqProbes
        var prev = Block<T>(n: n, columns: s)
        var betaPrev = [Double](repeating: 0, count: s)
        var alphas = [[Double]](repeating: [], count: s), betas = [[Double]](repeating: [], count: s)
        var alive = [Bool](repeating: true, count: s)
        for step in 0..<m {
            var w = Block(n: n, columns: s, values: try apply(v))
            w.addScaledColumns(prev, betaPrev.map { -$0 })
            let a = v.columnDots(w)
            w.addScaledColumns(v, a.map { -$0 })
            let bn = w.columnDots(w).map { $0.squareRoot() }
            for c in 0..<s where alive[c] {
                alphas[c].append(a[c])
                if step < m - 1 {
                    if bn[c] <= 1e-10 { alive[c] = false } else { betas[c].append(bn[c]) }
                }
            }
            prev = v
            v = w
            let scale = bn.map { $0 > 1e-10 ? 1 / $0 : 0 }
            for c in 0..<s { for i in 0..<n { v.values[c * n + i] *= T(scale[c]) } }
            betaPrev = bn
        }
        return (0..<s).map { (alphas[$0], betas[$0]) }
    }

    /// log|H| ≈ (n/S)·Σ_probes Σ_k (e₁ᵀy_k)²·log max(λ_k, floor) from tridiagonals.
    func quadrature(_ tri: [(alpha: [Double], beta: [Double])], theta: Double?, eta: Double) -> Double {
        let floor = max(Double(T.ulpOfOne) * Double(settings.slqSteps), 1e-6)
        var total = 0.0
        for (alpha, beta) in tri {
            let m = alpha.count
            var t = Matrix<Double>(rows: m, columns: m)
            for i in 0..<m { t[i, i] = theta.map { $0 * alpha[i] + eta } ?? alpha[i] }
            for i in 0..<min(beta.count, m - 1) {
                let b = theta.map { $0 * beta[i] } ?? beta[i]
                t[i, i + 1] = b
                t[i + 1, i] = b
            }
            guard case .success(let (values, vectors)) = t.symmetricEigen() else { return .nan }
            for k in 0..<m { total += vectors[0, k] * vectors[0, k] * Double.log(max(values[k], floor)) }
        }
        return Double(n) * total / Double(tri.count)
    }

    // MARK: - Evaluation

    public mutating func evaluate(_ psi: [Double], iteration: Int) throws -> REMLEvaluation {
        let tol = settings.pcgTolerance(iteration: iteration)
        let k = g + 1
        var counter = 0
        // One factorisation of M(ψ) serves both solves and the residual SLQ.
        let m = preconditioner(psi)
        let minv = m.power(-1)
        guard let (s, residual) = try pcg(rhs, psi, preconditioner: minv, guess: warm, tolerance: tol, counter: &counter) else {
            pcgIterations += counter
            throw EvaluationFailure("main REML PCG did not converge (relative residual \(lastPCGResidual) > \(tol))")
        }
        pcgIterations += counter
        warm = s
        // aᵀH⁻¹b for a, b among [X | y], residual-corrected: aᵀs_b + s_aᵀr_b, whose error is
        // second order in the PCG residual (a warm-started solve has first-order error in aᵀs_b,
        // enough to make ℓ jump between nearby trials).
        let hx = Matrix<T>(rows: n, columns: p, columnMajor: Array(s.values[0..<(n * p)]))
        let xm = Matrix<T>(rows: n, columns: p, columnMajor: x.values)
        let c = p + 1
        let bm = Matrix<T>(rows: n, columns: c, columnMajor: Array(rhs.values[0..<(n * c)]))
        let sm = Matrix<T>(rows: n, columns: c, columnMajor: Array(s.values[0..<(n * c)]))
        let rm = Matrix<T>(rows: n, columns: c, columnMajor: Array(residual.values[0..<(n * c)]))
        let g1 = bm.multiplied(by: sm, transposeSelf: true), g2 = sm.multiplied(by: rm, transposeSelf: true)
        var gram = Matrix<Double>(rows: c, columns: c)
        for i in 0..<c { for j in 0..<c { gram[i, j] = Double(g1[i, j]) + Double(g2[i, j]) } }
        gram.symmetrizeByAveraging()
        var w = Matrix<Double>(rows: p, columns: p)
        for i in 0..<p { for j in 0..<p { w[i, j] = gram[i, j] } }
        guard let (wl, logDetW) = SmallLinearAlgebra.cholesky(w) else { throw EvaluationFailure("XᵀH⁻¹X is not positive definite") }
        let xhy = SmallLinearAlgebra.solve(factor: wl, Matrix(rows: p, columns: 1, columnMajor: (0..<p).map { gram[$0, p] }))
        let yPy = gram[p, p] - (0..<p).reduce(0.0) { $0 + gram[$1, p] * xhy[$1, 0] }
        // proj(M) = M − H⁻¹X W⁻¹ XᵀM.
        func project(_ m: Block<T>) -> Block<T> {
            let mm = Matrix<T>(rows: n, columns: m.columns, columnMajor: m.values)
            let t = xm.multiplied(by: mm, transposeSelf: true)
            let sol = SmallLinearAlgebra.solve(factor: wl, Matrix(rows: p, columns: m.columns, columnMajor: t.storage.map { Double($0) }))
            let corr = hx.multiplied(by: Matrix(rows: p, columns: m.columns, columnMajor: sol.storage.map { T($0) }))
            return Block(n: n, columns: m.columns, values: zip(m.values, corr.storage).map { $0 - $1 })
        }
        let projected = project(Block(n: n, columns: 1 + settings.probes, values: Array(s.values[(n * p)...])))
        let py = Block(n: n, columns: 1, values: Array(projected.values[0..<n]))
        let pz = Block(n: n, columns: settings.probes, values: Array(projected.values[n...]))
        // A_i Py and the quadratic forms.
        var apy = try op.stacked(py.values, columns: 1).map { Block(n: n, columns: 1, values: $0) }
        apy.append(py)
        let q = apy.map { py.columnDots($0)[0] }
        // Hutchinson traces.
        var traces = [Double](repeating: 0, count: k)
        let r = Double(settings.probes)
        for c in 0..<g { traces[c] = pz.columnDots(kz[c]).reduce(0, +) / r }
        traces[g] = probes.columnDots(pz).reduce(0, +) / r
        // log|H|.
        let logDetH: Double
        if let affine {
            logDetH = quadrature(affine, theta: psi[0], eta: psi[g])
        } else if settings.slqMode == .residual {
            let half = m.power(-0.5)
            logDetH = m.logDeterminant + quadrature(try lanczos { half(try applyH(half($0), psi)).values }, theta: nil, eta: 0)
        } else {
            logDetH = quadrature(try lanczos { try applyH($0, psi).values }, theta: nil, eta: 0)
        }
        // AI: H Y = [A_i Py], P A_i P y = proj(Y).
        let aBlock = Block(n: n, columns: k, values: apy.flatMap(\.values))
        var aiCounter = 0
        guard let (ys, _) = try pcg(aBlock, psi, preconditioner: minv, guess: warmAI, tolerance: tol, counter: &aiCounter) else {
            aiPCGIterations += aiCounter
            throw EvaluationFailure("AI PCG did not converge (relative residual \(lastPCGResidual) > \(tol))")
        }
        aiPCGIterations += aiCounter
        warmAI = ys
        let papy = project(ys)
        // AI = ½ (A Py)ᵀ (P A P y), k x k.
        let product = Matrix<T>(rows: n, columns: k, columnMajor: aBlock.values)
            .multiplied(by: Matrix(rows: n, columns: k, columnMajor: papy.values), transposeSelf: true)
        var ai = Matrix<Double>(rows: k, columns: k, columnMajor: product.storage.map { 0.5 * Double($0) })
        ai.symmetrizeByAveraging()
        let score = (0..<k).map { 0.5 * (q[$0] - traces[$0]) }
        let e = REMLEvaluation(logLikelihood: -0.5 * (yPy + logDetH + logDetW), score: score, averageInformation: ai,
                               yPy: yPy, logDetH: logDetH, logDetW: logDetW)
        guard e.isFinite else { throw EvaluationFailure("non-finite likelihood, score or AI") }
        return e
    }

    public func evaluationTolerance(iteration: Int) -> Double { settings.pcgTolerance(iteration: iteration) }

    public mutating func accepted(psi: [Double], maxRelativeStep: Double) {
        if g > 1, basis != nil, settings.refreshRelativeStep > 0, maxRelativeStep >= settings.refreshRelativeStep {
            // Only a cancellation can fail here; the old preconditioner stays and the optimiser's
            // next poll stops the fit.
            try? buildPreconditioner(rank: basis!.columns, theta: Array(psi[0..<g]))
        }
    }
}
