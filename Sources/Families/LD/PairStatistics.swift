import GenoBenchCore
/// Every statistic GenoBench reports for one pair of unphased variants, in precision T.
///
/// From the exact 3 x 3 `GenotypeTable`:
/// - dosage correlation (spec ld.md §1.4a, PLINK 1.9 `--r`/`--r2`):
///   `r = (n·Σxy − Σx·Σy) / sqrt((n·Σx² − (Σx)²)(n·Σy² − (Σy)²))`, signed, x and y the
///   counted-allele copies; `r2 = cov² / (varX·varY)` (symmetric in A and B by construction);
/// - the haplotype-frequency estimate (§1.4b, Hill 1974; Gaunt, Rodriguez & Day 2007): the
///   ref/ref haplotype frequency f11 is the admissible root of the cubic below, ties broken by
///   the smallest Pearson χ² of the expected genotype table; D, D' and r²_hap follow from the
///   four haplotype frequencies (`HaplotypeStatistics`). Without double heterozygotes the
///   haplotype counts are read off the table directly.
public struct PairStatistics<T: Scalar>: Sendable {
    public var sampleCount: Int
    public var r: T
    public var r2: T
    public var d: T
    public var dPrime: T
    public var r2Haplotype: T
    public var flags: PairFlags

    @inlinable
    public init(table g: GenotypeTable) {
        let m = g.moments
        sampleCount = Int(m.n)
        flags = []
        let cov = T(m.covariance), vx = T(m.varianceA), vy = T(m.varianceB)
        if m.varianceA > 0 && m.varianceB > 0 {
            let v = vx * vy
            r = cov / T.sqrt(v)
            r2 = cov * cov / v
        } else {
            r = .nan; r2 = .nan
            flags.insert(.dosageUndefined)
        }
        let estimate = HaplotypeEstimate<T>(table: g)
        if estimate.multipleRoots { flags.insert(.multipleRoots) }
        if let counts = estimate.counts {
            let s = HaplotypeStatistics<T>(n00: counts.0, n01: counts.1, n10: counts.2, n11: counts.3)
            d = s.d; dPrime = s.dPrime; r2Haplotype = s.r2
            if s.r2.isNaN { flags.insert(.haplotypeUndefined) }
        } else {
            d = .nan; dPrime = .nan; r2Haplotype = .nan
            flags.insert(.haplotypeUndefined)
        }
    }
}

/// Per-pair status bits written in the `flags` column.
public struct PairFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// r is undefined: a variant is monomorphic among the samples observed at both (or none are).
    public static let dosageUndefined = PairFlags(rawValue: 1)
    /// D, D', r²_hap undefined: monomorphic haplotypes or no admissible cubic root.
    public static let haplotypeUndefined = PairFlags(rawValue: 2)
    /// More than one admissible cubic root; the χ² tie-break chose (Tomahawk's FLAG 32).
    public static let multipleRoots = PairFlags(rawValue: 4)
}

/// Haplotype counts of a pair of unphased variants (spec ld.md §1.4b), in precision T.
///
/// With M samples observed at both, P = freq(A allele "0"), Q = freq(B allele "0") (allele "0"
/// = the uncounted allele), k11 = 2·G00 + G01 + G10 and h = G11 (double heterozygotes), f11 solves
/// `4M f³ + (2M(1 − 2P − 2Q) − 2k11 − h) f² + (−k11(1 − 2P − 2Q) − h(1 − P − Q) + 2M·P·Q) f − k11·P·Q = 0`
/// in [k11/2M, (k11 + h)/2M]. Counts are (n00, n01, n10, n11) = 2M·(f11, P − f11, Q − f11,
/// 1 − P − Q + f11). Roots are found in closed form and polished by two Newton steps.
public struct HaplotypeEstimate<T: Scalar>: Sendable {
    public var counts: (T, T, T, T)?
    public var multipleRoots = false

    @inlinable
    public init(table g: GenotypeTable) {
        let mCount = g.sampleCount
        guard mCount > 0 else { counts = nil; return }
        let k11 = 2 * g[0, 0] + g[0, 1] + g[1, 0]
        let k12 = 2 * g[0, 2] + g[0, 1] + g[1, 2]
        let k21 = 2 * g[2, 0] + g[1, 0] + g[2, 1]
        let k22 = 2 * g[2, 2] + g[1, 2] + g[2, 1]
        let h = g[1, 1]
        if h == 0 {
            counts = (T(k11), T(k12), T(k21), T(k22))
            return
        }
        let twoM = T(2 * mCount)
        let rowZero = g[0, 0] + g[0, 1] + g[0, 2], rowOne = g[1, 0] + g[1, 1] + g[1, 2]
        let colZero = g[0, 0] + g[1, 0] + g[2, 0], colOne = g[0, 1] + g[1, 1] + g[2, 1]
        let p = T(2 * rowZero + rowOne) / twoM
        let q = T(2 * colZero + colOne) / twoM
        let kk = T(k11), hh = T(h), mm = T(mCount)
        let a = 4 * mm
        let b = 2 * mm * (1 - 2 * p - 2 * q) - 2 * kk - hh
        let c = -kk * (1 - 2 * p - 2 * q) - hh * (1 - p - q) + 2 * mm * p * q
        let d = -kk * p * q
        let low = kk / twoM, high = (kk + hh) / twoM
        let slack = T.ulpOfOne.squareRoot()
        var admissible: [T] = []
        for root in CubicSolver<T>.realRoots(a: b / a, b: c / a, c: d / a) {
            let polished = CubicSolver<T>.polish(root, a: a, b: b, c: c, d: d)
            if polished >= low - slack && polished <= high + slack {
                admissible.append(Swift.min(Swift.max(polished, low), high))
            }
        }
        if admissible.isEmpty {
            // A double root that rounding turned into a complex pair (the closed form then gives
            // only the far root): it is a critical point where the cubic vanishes to rounding.
            // EM converges to it only sublinearly (measured: 3e-4 off in f11 in Double). Only in
            // Double: Float's coefficients carry too much rounding to tell a double root from a
            // complex pair close to the axis, and EM (below) stays its fallback.
            let disc = b * b - 3 * a * c
            if T.precision == .f64 && disc >= 0 {
                for x in [(-b - disc.squareRoot()) / (3 * a), (-b + disc.squareRoot()) / (3 * a)] {
                    let f = ((a * x + b) * x + c) * x + d
                    let scale = Swift.abs(a * x * x * x) + Swift.abs(b * x * x) + Swift.abs(c * x) + Swift.abs(d)
                    if Swift.abs(f) <= 100 * T.ulpOfOne * scale && x >= low - slack && x <= high + slack {
                        admissible.append(Swift.min(Swift.max(x, low), high))
                    }
                }
            }
        }
        if admissible.isEmpty {
            // In Float the closed-form roots can fall just outside the window (the cubic's
            // coefficients carry ~M·ε error); the EM fixed point, which maps the window into
            // itself, finds the same maximum-likelihood root there.
            guard let f = HaplotypeEstimate.emFixedPoint(k11: kk, h: hh, p: p, q: q, twoM: twoM, low: low, high: high) else {
                counts = nil; return
            }
            admissible = [f]
        }
        var best = admissible[0]
        if admissible.count > 1 {
            // Distinct roots only: a double root counted twice is one root.
            var distinct: [T] = []
            for x in admissible where !distinct.contains(where: { Swift.abs($0 - x) <= slack * Swift.max(1, Swift.abs(x)) }) {
                distinct.append(x)
            }
            if distinct.count > 1 {
                multipleRoots = true
                var bestChi = T.infinity
                for f in distinct {
                    let chi = HaplotypeEstimate.chiSquared(f11: f, p: p, q: q, table: g)
                    if chi < bestChi { bestChi = chi; best = f }
                }
            } else {
                best = distinct[0]
            }
        }
        counts = (best * twoM, (p - best) * twoM, (q - best) * twoM, (1 - p - q + best) * twoM)
    }

    /// f ← (k11 + h·w)/2M with w = f11·f22 / (f11·f22 + f12·f21), from the window's midpoint.
    @inlinable
    static func emFixedPoint(k11: T, h: T, p: T, q: T, twoM: T, low: T, high: T) -> T? {
        var f = (low + high) / 2
        for _ in 0..<2000 {
            let f12 = p - f, f21 = q - f, f22 = 1 - p - q + f
            let denominator = f * f22 + f12 * f21
            guard denominator > 0 else { return nil }
            let next = (k11 + h * (f * f22 / denominator)) / twoM
            if Swift.abs(next - f) <= 4 * T.ulpOfOne * Swift.max(1, Swift.abs(f)) { return next }
            f = next
        }
        return f
    }

    /// Pearson χ² of the genotype table expected under HWE from haplotype frequencies
    /// (f11, P − f11, Q − f11, 1 − P − Q + f11) against the observed table.
    @inlinable
    static func chiSquared(f11: T, p: T, q: T, table g: GenotypeTable) -> T {
        let f: [T] = [f11, p - f11, q - f11, 1 - p - q + f11]  // (A0B0, A0B1, A1B0, A1B1)
        var expected = [T](repeating: 0, count: 9)
        for h1 in 0..<4 {
            for h2 in 0..<4 {
                let i = (h1 >> 1) + (h2 >> 1), j = (h1 & 1) + (h2 & 1)
                expected[3 * i + j] += f[h1] * f[h2]
            }
        }
        let m = T(g.sampleCount)
        var chi: T = 0
        for cell in 0..<9 {
            let e = expected[cell] * m
            if e > 0 {
                let diff = T(g[cell / 3, cell % 3]) - e
                chi += diff * diff / e
            }
        }
        return chi
    }
}

/// Real roots of a monic cubic x³ + a x² + b x + c in precision T (trigonometric form for three
/// real roots, Cardano otherwise).
public enum CubicSolver<T: Scalar> {
    @inlinable
    public static func realRoots(a: T, b: T, c: T) -> [T] {
        let q = (a * a - 3 * b) / 9
        let r = (2 * a * a * a - 9 * a * b + 27 * c) / 54
        let q3 = q * q * q
        if r * r < q3 {
            let theta = T.acos(Swift.max(-1, Swift.min(1, r / T.sqrt(q3))))
            let s = -2 * T.sqrt(q)
            let third = a / 3
            return [s * T.cos(theta / 3) - third,
                    s * T.cos((theta + 2 * T.pi) / 3) - third,
                    s * T.cos((theta - 2 * T.pi) / 3) - third].sorted()
        }
        let big = -(r < 0 ? -1 : 1) * T.root(Swift.abs(r) + T.sqrt(r * r - q3), 3)
        let small = big == 0 ? 0 : q / big
        return [big + small - a / 3]
    }

    /// Two Newton steps on a x³ + b x² + c x + d from x (kept when they do not improve it).
    @inlinable
    public static func polish(_ x0: T, a: T, b: T, c: T, d: T) -> T {
        var x = x0
        for _ in 0..<2 {
            let f = ((a * x + b) * x + c) * x + d
            let df = (3 * a * x + 2 * b) * x + c
            if df == 0 { break }
            let next = x - f / df
            let fn = ((a * next + b) * next + c) * next + d
            if Swift.abs(fn) <= Swift.abs(f) { x = next } else { break }
        }
        return x
    }
}
