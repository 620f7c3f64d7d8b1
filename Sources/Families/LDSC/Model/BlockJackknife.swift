/// The delete-one block jackknife of a least-squares fit from per-block normal equations
/// (spec §4.4; gsMap's `LstsqJackknifeFast`).
///
/// Input: for each block b the F x F Gram `A_b = X_bᵀX_b` (row-major, full) and `c_b = X_bᵀy_b`
/// of the weighted rows. Full fit `β̂ = (ΣA)⁻¹Σc`; delete-one `β̂_(b) = (ΣA − A_b)⁻¹(Σc − c_b)`;
/// pseudovalues `p_b = B·β̂ − (B − 1)·β̂_(b)`; estimate = mean of the pseudovalues (not β̂);
/// variance = sample variance of the pseudovalues (ddof 1) / B. All solves are LU with partial
/// pivoting in Double (numpy's `solve` is LAPACK `gesv`, the same); a zero pivot in any of the
/// B + 1 systems makes the fit singular (`nil`). Cost O(B·F³).
public enum BlockJackknife {
    public struct Fit: Sendable, Equatable {
        public var estimate: [Double]
        public var standardError: [Double]
        /// The full-data β̂ (not reported; kept for tests).
        public var fullFit: [Double]
    }

    /// - Parameters:
    ///   - grams: B·F·F values, block-major (block b's Gram at `b·F·F`).
    ///   - rhs: B·F values, block-major.
    public static func fit(features f: Int, blocks nb: Int, grams: UnsafeBufferPointer<Double>, rhs: UnsafeBufferPointer<Double>) -> Fit? {
        var total = [Double](repeating: 0, count: f * f), totalRHS = [Double](repeating: 0, count: f)
        for b in 0..<nb {
            for i in 0..<(f * f) { total[i] += grams[b * f * f + i] }
            for i in 0..<f { totalRHS[i] += rhs[b * f + i] }
        }
        guard let full = solve(total, totalRHS, f) else { return nil }
        var pseudo = [Double](repeating: 0, count: nb * f)
        var a = [Double](repeating: 0, count: f * f), c = [Double](repeating: 0, count: f)
        let bb = Double(nb)
        for b in 0..<nb {
            for i in 0..<(f * f) { a[i] = total[i] - grams[b * f * f + i] }
            for i in 0..<f { c[i] = totalRHS[i] - rhs[b * f + i] }
            guard let del = solve(a, c, f) else { return nil }
            for i in 0..<f { pseudo[b * f + i] = bb * full[i] - (bb - 1) * del[i] }
        }
        var mean = [Double](repeating: 0, count: f), se = [Double](repeating: 0, count: f)
        for i in 0..<f {
            var s = 0.0
            for b in 0..<nb { s += pseudo[b * f + i] }
            mean[i] = s / bb
            var v = 0.0
            for b in 0..<nb { let d = pseudo[b * f + i] - mean[i]; v += d * d }
            se[i] = (v / (bb - 1) / bb).squareRoot()
        }
        return Fit(estimate: mean, standardError: se, fullFit: full)
    }

    /// Solves `A x = c` (A row-major n x n) by Gaussian elimination with partial pivoting
    /// (LAPACK `dgetrf`'s pivot rule: the largest |entry| in the column, first on ties).
    /// Returns nil on an exactly zero pivot, as LAPACK reports `info > 0`.
    public static func solve(_ a0: [Double], _ c0: [Double], _ n: Int) -> [Double]? {
        var a = a0, c = c0
        for k in 0..<n {
            var p = k
            var best = abs(a[k * n + k])
            for i in (k + 1)..<max(n, k + 1) where abs(a[i * n + k]) > best { best = abs(a[i * n + k]); p = i }
            if best == 0 || best.isNaN { return nil }
            if p != k {
                for j in 0..<n { a.swapAt(k * n + j, p * n + j) }
                c.swapAt(k, p)
            }
            let pivot = a[k * n + k]
            for i in (k + 1)..<max(n, k + 1) {
                let l = a[i * n + k] / pivot
                if l == 0 { continue }
                for j in (k + 1)..<n { a[i * n + j] -= l * a[k * n + j] }
                c[i] -= l * c[k]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = c[i]
            for j in (i + 1)..<max(n, i + 1) { s -= a[i * n + j] * x[j] }
            x[i] = s / a[i * n + i]
        }
        return x
    }
}
