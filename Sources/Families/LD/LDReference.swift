import GenoBenchCore
import GenoBenchData
import GenoBenchReference

/// The exact LD reference (spec ld.md §9), in double precision with GSL.
///
/// For every selected pair: the genotype table by a direct per-sample loop over decoded
/// calls; dosage r by `gsl_stats_correlation` on the pairwise-complete allele counts; the
/// haplotype estimate from `gsl_poly_solve_cubic` with the admissibility window and χ²
/// tie-break of §1.4b. Deliberately simple and independent of the backends' kernels.
public enum LDReference {
    public static func solve(_ problem: LDProblem) throws -> LDSolution {
        let n = problem.sampleCount, v = problem.variantCount
        let packed = try problem.genotypes.packedRecords(0..<v)
        let per = problem.genotypes.bytesPerVariant
        func copies(_ variant: Int, _ sample: Int) -> Int? {
            let d = GenotypeCode.allele1Dosage[Int((packed[variant * per + sample / 4] >> UInt8(2 * (sample % 4))) & 3)]
            return d < 0 ? nil : Int(d)
        }
        var rows: [LDRow] = []
        var compared = 0
        var xs: [Double] = [], ys: [Double] = []
        for a in 0..<v {
            for b in (a + 1)..<max(a + 1, v) where problem.selects(a, b) {
                compared += 1
                var table = GenotypeTable()
                xs.removeAll(keepingCapacity: true); ys.removeAll(keepingCapacity: true)
                for s in 0..<n {
                    guard let x = copies(a, s), let y = copies(b, s) else { continue }
                    table[x, y] += 1
                    xs.append(Double(x)); ys.append(Double(y))
                }
                guard problem.emits(table) else { continue }
                let undefined = table.moments.varianceA <= 0 || table.moments.varianceB <= 0
                let r = undefined ? Double.nan : GSL.correlation(xs, ys)
                var flags: PairFlags = undefined ? [.dosageUndefined] : []
                let hap = haplotypeStatistics(table)
                flags.formUnion(hap.flags)
                rows.append(LDRow(indexA: a, indexB: b, table: table, sampleCount: xs.count, r: r, r2: r * r,
                                  d: hap.d, dPrime: hap.dPrime, r2Haplotype: hap.r2, flags: flags))
            }
        }
        return LDSolution(precision: .f64, rows: rows, pairsCompared: compared)
    }

    /// D, D', r²_hap from the table by GSL's cubic solver (§1.4b), or direct counts when there
    /// are no double heterozygotes.
    public static func haplotypeStatistics(_ g: GenotypeTable) -> (d: Double, dPrime: Double, r2: Double, flags: PairFlags, f11: Double?) {
        let m = g.sampleCount
        let k11 = 2 * g[0, 0] + g[0, 1] + g[1, 0], k12 = 2 * g[0, 2] + g[0, 1] + g[1, 2]
        let k21 = 2 * g[2, 0] + g[1, 0] + g[2, 1], k22 = 2 * g[2, 2] + g[1, 2] + g[2, 1]
        let h = g[1, 1]
        var counts: (Double, Double, Double, Double)?
        var flags: PairFlags = []
        var f11: Double?
        if m == 0 {
            counts = nil
        } else if h == 0 {
            counts = (Double(k11), Double(k12), Double(k21), Double(k22))
        } else {
            let twoM = Double(2 * m), mm = Double(m)
            let p = Double(2 * (g[0, 0] + g[0, 1] + g[0, 2]) + g[1, 0] + g[1, 1] + g[1, 2]) / twoM
            let q = Double(2 * (g[0, 0] + g[1, 0] + g[2, 0]) + g[0, 1] + g[1, 1] + g[2, 1]) / twoM
            let kk = Double(k11), hh = Double(h)
            let a = 4 * mm
            let b = 2 * mm * (1 - 2 * p - 2 * q) - 2 * kk - hh
            let c = -kk * (1 - 2 * p - 2 * q) - hh * (1 - p - q) + 2 * mm * p * q
            let d = -kk * p * q
            let low = kk / twoM, high = (kk + hh) / twoM
            let slack = 1e-8
            var admissible: [Double] = []
            var candidates = GSL.cubicRoots(a: b / a, b: c / a, c: d / a)
            if candidates.count == 1 {
                // A double root that rounding turned into a complex pair: the closed form then
                // returns only the far root. The double root is a critical point (f' = 0) where
                // f vanishes to rounding; take such critical points as candidates too.
                let disc = b * b - 3 * a * c
                if disc >= 0 {
                    for x in [(-b - disc.squareRoot()) / (3 * a), (-b + disc.squareRoot()) / (3 * a)] {
                        let f = ((a * x + b) * x + c) * x + d
                        let scale = abs(a * x * x * x) + abs(b * x * x) + abs(c * x) + abs(d)
                        if abs(f) <= 100 * Double.ulpOfOne * scale { candidates.append(x) }
                    }
                }
            }
            for root in candidates {
                // One Newton step on the unscaled cubic (GSL's closed form can lose a few digits).
                let f = ((a * root + b) * root + c) * root + d, df = (3 * a * root + 2 * b) * root + c
                let x = df != 0 && abs(((a * (root - f / df) + b) * (root - f / df) + c) * (root - f / df) + d) <= abs(f) ? root - f / df : root
                if x >= low - slack && x <= high + slack {
                    let clamped = min(max(x, low), high)
                    if !admissible.contains(where: { abs($0 - clamped) <= slack }) { admissible.append(clamped) }
                }
            }
            if admissible.isEmpty {
                counts = nil
            } else {
                var best = admissible[0]
                if admissible.count > 1 {
                    flags.insert(.multipleRoots)
                    best = admissible.min { HaplotypeEstimate<Double>.chiSquared(f11: $0, p: p, q: q, table: g) <
                        HaplotypeEstimate<Double>.chiSquared(f11: $1, p: p, q: q, table: g) }!
                }
                f11 = best
                counts = (best * twoM, (p - best) * twoM, (q - best) * twoM, (1 - p - q + best) * twoM)
            }
        }
        guard let c = counts else { return (.nan, .nan, .nan, flags.union(.haplotypeUndefined), nil) }
        let s = HaplotypeStatistics<Double>(n00: c.0, n01: c.1, n10: c.2, n11: c.3)
        if s.r2.isNaN { flags.insert(.haplotypeUndefined) }
        return (s.d, s.dPrime, s.r2, flags, f11)
    }

    /// The EM fixed point f ← (k11 + h·w)/2M, w = f11·f22 / (f11·f22 + f12·f21), iterated to
    /// |Δf| < 1e-15 from the midpoint of the admissible window (the cross-check of §1.4b).
    public static func emFrequency(_ g: GenotypeTable, maxIterations: Int = 10_000) -> Double {
        let m = Double(g.sampleCount), twoM = 2 * m
        let k11 = Double(2 * g[0, 0] + g[0, 1] + g[1, 0]), h = Double(g[1, 1])
        let p = Double(2 * (g[0, 0] + g[0, 1] + g[0, 2]) + g[1, 0] + g[1, 1] + g[1, 2]) / twoM
        let q = Double(2 * (g[0, 0] + g[1, 0] + g[2, 0]) + g[0, 1] + g[1, 1] + g[2, 1]) / twoM
        var f = (k11 + h / 2) / twoM
        for _ in 0..<maxIterations {
            let f12 = p - f, f21 = q - f, f22 = 1 - p - q + f
            let denominator = f * f22 + f12 * f21
            let w = denominator > 0 ? f * f22 / denominator : 0.5
            let next = (k11 + h * w) / twoM
            if abs(next - f) < 1e-15 { return next }
            f = next
        }
        return f
    }
}
