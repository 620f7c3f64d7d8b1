import GenoBenchCore
/// The 3 x 3 table of genotype pairs of two variants over samples observed at both.
///
/// `cells[3 * i + j]` counts samples with i copies of variant A's counted allele (the `.bim`
/// column-5 allele) and j copies of variant B's. Integer and exact: every backend and every
/// precision must produce identical tables for the same pair (spec ld.md §6.6).
public struct GenotypeTable: Sendable, Equatable, Hashable {
    public var g00: UInt32 = 0, g01: UInt32 = 0, g02: UInt32 = 0
    public var g10: UInt32 = 0, g11: UInt32 = 0, g12: UInt32 = 0
    public var g20: UInt32 = 0, g21: UInt32 = 0, g22: UInt32 = 0

    public init() {}

    /// A table from rows (A copies 0, 1, 2) of columns (B copies 0, 1, 2).
    public init(_ rows: [[Int]]) {
        for i in 0..<3 { for j in 0..<3 { self[i, j] = rows[i][j] } }
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Int {
        get {
            switch 3 * i + j {
            case 0: Int(g00)
            case 1: Int(g01)
            case 2: Int(g02)
            case 3: Int(g10)
            case 4: Int(g11)
            case 5: Int(g12)
            case 6: Int(g20)
            case 7: Int(g21)
            default: Int(g22)
            }
        }
        set {
            let x = UInt32(newValue)
            switch 3 * i + j {
            case 0: g00 = x
            case 1: g01 = x
            case 2: g02 = x
            case 3: g10 = x
            case 4: g11 = x
            case 5: g12 = x
            case 6: g20 = x
            case 7: g21 = x
            default: g22 = x
            }
        }
    }

    /// The nine counts in row-major order.
    public var array: [Int] { (0..<9).map { self[$0 / 3, $0 % 3] } }

    /// Builds the table from cumulative counts `c[3a + b] = |{A >= a copies, observed} & {B >= b}|`
    /// for a, b in 0...2, by inclusion–exclusion (what the popcount kernels produce):
    /// `G[i][j] = C[i][j] − C[i+1][j] − C[i][j+1] + C[i+1][j+1]` with C = 0 beyond index 2.
    @inlinable
    public init(cumulative c: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) {
        let (c00, c01, c02, c10, c11, c12, c20, c21, c22) = c
        g00 = UInt32(truncatingIfNeeded: c00 &- c10 &- c01 &+ c11)
        g01 = UInt32(truncatingIfNeeded: c01 &- c11 &- c02 &+ c12)
        g02 = UInt32(truncatingIfNeeded: c02 &- c12)
        g10 = UInt32(truncatingIfNeeded: c10 &- c20 &- c11 &+ c21)
        g11 = UInt32(truncatingIfNeeded: c11 &- c21 &- c12 &+ c22)
        g12 = UInt32(truncatingIfNeeded: c12 &- c22)
        g20 = UInt32(truncatingIfNeeded: c20 &- c21)
        g21 = UInt32(truncatingIfNeeded: c21 &- c22)
        g22 = UInt32(truncatingIfNeeded: c22)
    }

    /// Samples observed at both variants.
    public var sampleCount: Int { Int(moments.n) }

    /// Exact integer moments of the allele counts x (A) and y (B) over the table's samples.
    public struct Moments: Sendable, Equatable {
        public init(n: Int64, sx: Int64, sy: Int64, sxx: Int64, syy: Int64, sxy: Int64) {
            self.n = n; self.sx = sx; self.sy = sy; self.sxx = sxx; self.syy = syy; self.sxy = sxy
        }
        public var n: Int64, sx: Int64, sy: Int64, sxx: Int64, syy: Int64, sxy: Int64

        /// n·Σxy − Σx·Σy (n² times the covariance).
        public var covariance: Int64 { n * sxy - sx * sy }
        /// n·Σx² − (Σx)².
        public var varianceA: Int64 { n * sxx - sx * sx }
        /// n·Σy² − (Σy)².
        public var varianceB: Int64 { n * syy - sy * sy }

        /// Dosage r² in double precision from the exact integers. Every backend and the
        /// reference decide `--r2-min` with this one function, so their row sets agree exactly
        /// whatever precision they compute the reported statistics in. NaN when undefined.
        public var r2ForFilter: Double {
            Self.r2ForFilter(covariance: covariance, varianceA: varianceA, varianceB: varianceB)
        }

        /// The filter's r² from the exact integers (the one formula every backend uses).
        @inlinable
        public static func r2ForFilter(covariance: Int64, varianceA: Int64, varianceB: Int64) -> Double {
            let vx = Double(varianceA), vy = Double(varianceB)
            if vx <= 0 || vy <= 0 { return .nan }
            let c = Double(covariance)
            return (c * c) / (vx * vy)
        }
    }

    @inlinable
    public var moments: Moments {
        let r0 = Int64(g00) + Int64(g01) + Int64(g02)
        let r1 = Int64(g10) + Int64(g11) + Int64(g12)
        let r2 = Int64(g20) + Int64(g21) + Int64(g22)
        let c1 = Int64(g01) + Int64(g11) + Int64(g21)
        let c2 = Int64(g02) + Int64(g12) + Int64(g22)
        let sxy = Int64(g11) + 2 * (Int64(g12) + Int64(g21)) + 4 * Int64(g22)
        return Moments(n: r0 + r1 + r2, sx: r1 + 2 * r2, sy: c1 + 2 * c2, sxx: r1 + 4 * r2, syy: c1 + 4 * c2, sxy: sxy)
    }
}
