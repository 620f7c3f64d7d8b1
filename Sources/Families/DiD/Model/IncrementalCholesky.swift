import GenoBenchCore

/// Cholesky factor of a small Gram matrix built one column at a time, leaving out columns
/// that are (numerically) linear combinations of the ones kept before them.
///
/// Definition. For columns j = 0, 1, … in order: v = L⁻¹B[kept, j], d = B_jj − vᵀv; column j is
/// kept when `d > tolerance · scale[j]` (its residual sum of squares after the kept columns is
/// a real share of its total sum of squares `scale[j]`), and L grows by the row (vᵀ, √d).
/// Order matters: earlier columns win (visit before visit × arm before covariates).
/// Complexity O(p³) for p columns; p is 2 + covariates here.
struct IncrementalCholesky<T: Scalar> {
    /// Kept column indices, ascending.
    private(set) var kept: [Int] = []
    /// Lower factor of the kept block, row-major q x q.
    private var factor: [T] = []

    /// `gram` is p x p row-major with (at least) the lower triangle filled.
    init(gram: [T], size p: Int, scale: [T], tolerance: T) {
        for j in 0..<p {
            let q = kept.count
            var v = [T](repeating: 0, count: q)
            for a in 0..<q {
                var t = gram[max(j, kept[a]) * p + min(j, kept[a])]
                for b in 0..<a { t -= factor[a * q + b] * v[b] }
                v[a] = t / factor[a * q + a]
            }
            var d = gram[j * p + j]
            for a in 0..<q { d -= v[a] * v[a] }
            guard scale[j] > 0, d > tolerance * scale[j], d.isFinite else { continue }
            var grown = [T](repeating: 0, count: (q + 1) * (q + 1))
            for a in 0..<q { for b in 0...a { grown[a * (q + 1) + b] = factor[a * q + b] } }
            for b in 0..<q { grown[q * (q + 1) + b] = v[b] }
            grown[q * (q + 1) + q] = d.squareRoot()
            factor = grown
            kept.append(j)
        }
    }

    /// Solves (L Lᵀ) β = c for the kept block (c in kept order).
    func solve(_ c: [T]) -> [T] {
        let q = kept.count
        var z = c
        for a in 0..<q {
            for b in 0..<a { z[a] -= factor[a * q + b] * z[b] }
            z[a] /= factor[a * q + a]
        }
        for a in stride(from: q - 1, through: 0, by: -1) {
            for b in (a + 1)..<max(q, a + 1) { z[a] -= factor[b * q + a] * z[b] }
            z[a] /= factor[a * q + a]
        }
        return z
    }

    /// (L Lᵀ)⁻¹, row-major q x q.
    func inverse() -> [T] {
        let q = kept.count
        var inv = [T](repeating: 0, count: q * q)
        for col in 0..<q {
            var e = [T](repeating: 0, count: q)
            e[col] = 1
            let x = solve(e)
            for row in 0..<q { inv[row * q + col] = x[row] }
        }
        return inv
    }
}
