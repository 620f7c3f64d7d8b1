import CGSL
import GenoBenchCore
import GenoBenchData
import GenoBenchReference

/// The exact dense reference of spec reml.md §2 in double precision with GSL: GRMs decoded
/// straight from the packed records (its own decoding, not the backends'), accumulated with
/// `gsl_blas_dsyrk`; each evaluation factors H with `gsl_linalg_cholesky_decomp1`, inverts it
/// (`gsl_linalg_cholesky_invert`), forms P explicitly and takes traces as Frobenius products.
/// The optimiser is the shared AI-REML in strict mode; tests check its optimum by
/// stationarity, closed forms and the profiled-likelihood (Brent) fit below.
public enum REMLReference {
    /// K = ZZᵀ/m_eff (row-major n x n, symmetric) and its atom, for the variants of one
    /// component over the given samples of `source`.
    public static func grm(source: any GenotypeSource, variants: [Int], samples: [Int]) throws -> (kernel: [Double], atom: Double, validSNPs: Int) {
        GSL.prepare()
        let n = samples.count
        var kernel = [Double](repeating: 0, count: n * n)
        let width = 256
        var z = [Double](repeating: 0, count: n * width)  // row-major n x width
        var valid = 0, observedSum = 0
        var start = 0
        while start < variants.count {
            let chunk = Array(variants[start..<min(variants.count, start + width)])
            for i in 0..<z.count { z[i] = 0 }
            for (c, v) in chunk.enumerated() {
                let rec = try source.packedRecords(v..<(v + 1))
                var dosage = [Double](repeating: .nan, count: n)
                for (i, s) in samples.enumerated() {
                    switch (rec[s / 4] >> UInt8(2 * (s % 4))) & 3 {
                    case 0: dosage[i] = 2
                    case 2: dosage[i] = 1
                    case 3: dosage[i] = 0
                    default: break
                    }
                }
                let observed = dosage.filter { !$0.isNaN }
                guard !observed.isEmpty else { continue }
                let mean = gsl_stats_mean(observed, 1, observed.count)
                let variance = gsl_stats_variance_with_fixed_mean(observed, 1, observed.count, mean)
                guard variance > 0 else { continue }
                valid += 1
                observedSum += observed.count
                let inv = 1 / max(variance, 1e-6).squareRoot()
                for i in 0..<n where !dosage[i].isNaN { z[i * width + c] = (dosage[i] - mean) * inv }
            }
            kernel.withUnsafeMutableBufferPointer { kp in
                z.withUnsafeMutableBufferPointer { zp in
                    var kv = gsl_matrix_view_array(kp.baseAddress, n, n)
                    var zv = gsl_matrix_view_array(zp.baseAddress, n, width)
                    _ = gsl_blas_dsyrk(CblasLower, CblasNoTrans, 1, &zv.matrix, 1, &kv.matrix)
                }
            }
            start += width
        }
        if valid > 0 {
            for i in 0..<n {
                for j in 0...i {
                    let v = kernel[i * n + j] / Double(valid)
                    kernel[i * n + j] = v
                    kernel[j * n + i] = v
                }
            }
        }
        let atom = valid == 0 ? 0 : Double(observedSum) / (Double(n) * Double(valid))
        return (kernel, atom, valid)
    }

    /// Fits by strict AI-REML with GSL evaluations.
    public static func fit(kernels: [[Double]], atoms: [Double], names: [String], data: REMLData,
                           settings: AIREMLSettings = .strict) throws -> REMLEstimates {
        var objective = GSLObjective(kernels: kernels, atoms: atoms, data: data)
        let f = try AIREML(settings: settings).fit(&objective, sampleCount: data.sampleCount)
        return REMLEstimates(fit: f, data: data, atoms: atoms, names: names, settings: settings)
    }

    /// The profiled REML of spec §2.3 for one kernel, maximised over h ∈ [0, 1] by Brent
    /// (`gsl_min_fminimizer_brent`) after `gsl_eigen_symmv`: returns h² = θ/(θ + η) on the
    /// kernel's own scale (h = the share of θK + ηI, no residual floor) and ℓ_R (standardised
    /// scale, no constant). A second, independent route to the single-GRM optimum.
    public static func profileFit(kernel: [Double], data: REMLData) -> (h: Double, logL: Double, theta: Double, eta: Double) {
        GSL.prepare()
        let n = data.sampleCount, p = data.fixedCount
        var a = kernel
        var lambda = [Double](repeating: 0, count: n)
        var vectors = [Double](repeating: 0, count: n * n)
        a.withUnsafeMutableBufferPointer { ap in
            lambda.withUnsafeMutableBufferPointer { lp in
                vectors.withUnsafeMutableBufferPointer { vp in
                    var av = gsl_matrix_view_array(ap.baseAddress, n, n)
                    var lv = gsl_vector_view_array(lp.baseAddress, n)
                    var vv = gsl_matrix_view_array(vp.baseAddress, n, n)
                    let work = gsl_eigen_symmv_alloc(n)
                    _ = gsl_eigen_symmv(&av.matrix, &lv.vector, &vv.matrix, work)
                    gsl_eigen_symmv_free(work)
                }
            }
        }
        // Rotated data: ỹ = Uᵀy, X̃ = UᵀX (U's columns are the eigenvectors, row-major storage).
        var yr = [Double](repeating: 0, count: n)
        var xr = [Double](repeating: 0, count: n * p)  // row-major n x p
        for k in 0..<n {
            var sy = 0.0
            var sx = [Double](repeating: 0, count: p)
            for i in 0..<n {
                let u = vectors[i * n + k]
                sy += u * data.y[i]
                for j in 0..<p { sx[j] += u * data.design[i, j] }
            }
            yr[k] = sy
            for j in 0..<p { xr[k * p + j] = sx[j] }
        }
        // −ℓ(h) profiled over σ²: ℓ = −½[(n−p)log σ̂² + Σ log d + log|X̃ᵀWX̃| + (n−p)].
        final class Context {
            let lambda: [Double], yr: [Double], xr: [Double], n: Int, p: Int
            init(_ l: [Double], _ y: [Double], _ x: [Double], _ n: Int, _ p: Int) { lambda = l; yr = y; xr = x; self.n = n; self.p = p }
            func profile(_ h: Double) -> (value: Double, sigma2: Double) {
                var xtwx = [Double](repeating: 0, count: p * p), xtwy = [Double](repeating: 0, count: p)
                var logD = 0.0, ywy = 0.0
                for i in 0..<n {
                    let d = h * lambda[i] + 1 - h
                    if d <= 0 { return (.infinity, .nan) }
                    logD += Double.log(d)
                    let w = 1 / d
                    ywy += w * yr[i] * yr[i]
                    for a in 0..<p {
                        xtwy[a] += w * xr[i * p + a] * yr[i]
                        for b in 0..<p { xtwx[a * p + b] += w * xr[i * p + a] * xr[i * p + b] }
                    }
                }
                var logW = 0.0, q = ywy
                xtwx.withUnsafeMutableBufferPointer { mp in
                    xtwy.withUnsafeMutableBufferPointer { bp in
                        var mv = gsl_matrix_view_array(mp.baseAddress, p, p)
                        var bv = gsl_vector_view_array(bp.baseAddress, p)
                        _ = gsl_linalg_cholesky_decomp1(&mv.matrix)
                        for a in 0..<p { logW += 2 * Double.log(mp[a * p + a]) }
                        var sol = [Double](repeating: 0, count: p)
                        sol.withUnsafeMutableBufferPointer { sp in
                            var sv = gsl_vector_view_array(sp.baseAddress, p)
                            _ = gsl_linalg_cholesky_solve(&mv.matrix, &bv.vector, &sv.vector)
                            for a in 0..<p { q -= bp[a] * sp[a] }
                        }
                    }
                }
                let m = Double(n - p)
                let s2 = q / m
                return (0.5 * (m * Double.log(s2) + logD + logW + m), s2)
            }
        }
        let ctx = Context(lambda, yr, xr, n, p)
        var fn = gsl_function()
        fn.function = { h, params in Unmanaged<Context>.fromOpaque(params!).takeUnretainedValue().profile(h).value }
        fn.params = Unmanaged.passUnretained(ctx).toOpaque()
        // Bracket on a grid, then Brent inside the best interval; the ends are candidates too.
        let grid = (0...200).map { Double($0) / 200 }
        let values = grid.map { ctx.profile($0).value }
        let best = values.indices.min(by: { values[$0] < values[$1] })!
        var h = grid[best]
        if best > 0 && best < grid.count - 1 {
            let minimizer = gsl_min_fminimizer_alloc(genobench_gsl_brent())!
            gsl_min_fminimizer_set_with_values(minimizer, &fn, grid[best], values[best], grid[best - 1], values[best - 1], grid[best + 1], values[best + 1])
            for _ in 0..<200 {
                gsl_min_fminimizer_iterate(minimizer)
                let lo = gsl_min_fminimizer_x_lower(minimizer), hi = gsl_min_fminimizer_x_upper(minimizer)
                if gsl_min_test_interval(lo, hi, 1e-12, 0) == GSL_SUCCESS { break }
            }
            h = gsl_min_fminimizer_x_minimum(minimizer)
            gsl_min_fminimizer_free(minimizer)
        }
        let (value, s2) = ctx.profile(h)
        withExtendedLifetime(ctx) {}
        return (h, -value, s2 * h, s2 * (1 - h))
    }
}

/// One dense evaluation with GSL (spec reml.md §2.3 steps 1–6, explicit P).
struct GSLObjective: REMLObjective {
    let kernels: [[Double]]
    let atoms: [Double]
    let y: [Double]
    let x: [Double]  // row-major n x p
    let n: Int, p: Int

    init(kernels: [[Double]], atoms: [Double], data: REMLData) {
        self.kernels = kernels
        self.atoms = atoms
        n = data.sampleCount
        p = data.fixedCount
        y = data.y
        var xr = [Double](repeating: 0, count: n * p)
        for i in 0..<n { for j in 0..<p { xr[i * p + j] = data.design[i, j] } }
        x = xr
    }

    mutating func evaluate(_ psi: [Double], iteration: Int) throws -> REMLEvaluation {
        GSL.prepare()
        let g = kernels.count, k = g + 1
        var h = [Double](repeating: 0, count: n * n)
        for c in 0..<g where psi[c] != 0 { for i in 0..<(n * n) { h[i] += psi[c] * kernels[c][i] } }
        for i in 0..<n { h[i * n + i] += psi[g] }
        var hx = [Double](repeating: 0, count: n * p)
        var p_ = [Double](repeating: 0, count: n * n)
        var logDetH = 0.0, logDetW = 0.0
        var w = [Double](repeating: 0, count: p * p)
        var failure: String?
        h.withUnsafeMutableBufferPointer { hp in
            var hv = gsl_matrix_view_array(hp.baseAddress, n, n)
            if gsl_linalg_cholesky_decomp1(&hv.matrix) != GSL_SUCCESS { failure = "H is not positive definite"; return }
            for i in 0..<n { logDetH += 2 * Double.log(hp[i * n + i]) }
            _ = gsl_linalg_cholesky_invert(&hv.matrix)
            x.withUnsafeBufferPointer { xp in
                hx.withUnsafeMutableBufferPointer { hxp in
                    w.withUnsafeMutableBufferPointer { wp in
                        p_.withUnsafeMutableBufferPointer { pp in
                            var xv = gsl_matrix_const_view_array(xp.baseAddress, n, p)
                            var hxv = gsl_matrix_view_array(hxp.baseAddress, n, p)
                            var wv = gsl_matrix_view_array(wp.baseAddress, p, p)
                            var pv = gsl_matrix_view_array(pp.baseAddress, n, n)
                            _ = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &hv.matrix, &xv.matrix, 0, &hxv.matrix)
                            _ = gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1, &xv.matrix, &hxv.matrix, 0, &wv.matrix)
                            if gsl_linalg_cholesky_decomp1(&wv.matrix) != GSL_SUCCESS { failure = "XᵀH⁻¹X is not positive definite"; return }
                            for i in 0..<p { logDetW += 2 * Double.log(wp[i * p + i]) }
                            _ = gsl_linalg_cholesky_invert(&wv.matrix)
                            // P = H⁻¹ − (H⁻¹X) W⁻¹ (H⁻¹X)ᵀ.
                            var t = [Double](repeating: 0, count: n * p)
                            t.withUnsafeMutableBufferPointer { tp in
                                var tv = gsl_matrix_view_array(tp.baseAddress, n, p)
                                _ = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &hxv.matrix, &wv.matrix, 0, &tv.matrix)
                                _ = gsl_matrix_memcpy(&pv.matrix, &hv.matrix)
                                _ = gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1, &tv.matrix, &hxv.matrix, 1, &pv.matrix)
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw EvaluationFailure(failure) }
        // Py, yᵀPy, A_i Py, P A_i Py.
        func symv(_ m: [Double], _ v: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: n)
            m.withUnsafeBufferPointer { mp in
                v.withUnsafeBufferPointer { vp in
                    out.withUnsafeMutableBufferPointer { op in
                        var mv = gsl_matrix_const_view_array(mp.baseAddress, n, n)
                        var vv = gsl_vector_const_view_array(vp.baseAddress, n)
                        var ov = gsl_vector_view_array(op.baseAddress, n)
                        _ = gsl_blas_dgemv(CblasNoTrans, 1, &mv.matrix, &vv.vector, 0, &ov.vector)
                    }
                }
            }
            return out
        }
        func dot(_ a: [Double], _ b: [Double]) -> Double {
            var r = 0.0
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    var av = gsl_vector_const_view_array(ap.baseAddress, a.count)
                    var bv = gsl_vector_const_view_array(bp.baseAddress, b.count)
                    _ = gsl_blas_ddot(&av.vector, &bv.vector, &r)
                }
            }
            return r
        }
        let py = symv(p_, y)
        let yPy = dot(y, py)
        var apy = kernels.map { symv($0, py) }
        apy.append(py)
        let papy = apy.map { symv(p_, $0) }
        var ai = Matrix<Double>(rows: k, columns: k)
        for i in 0..<k { for j in 0..<k { ai[i, j] = 0.5 * dot(apy[i], papy[j]) } }
        var score = [Double](repeating: 0, count: k)
        for c in 0..<g { score[c] = 0.5 * (dot(py, apy[c]) - dot(p_, kernels[c])) }
        var trP = 0.0
        for i in 0..<n { trP += p_[i * n + i] }
        score[g] = 0.5 * (dot(py, py) - trP)
        return REMLEvaluation(logLikelihood: -0.5 * (logDetH + logDetW + yPy), score: score, averageInformation: ai,
                              yPy: yPy, logDetH: logDetH, logDetW: logDetW)
    }
}
