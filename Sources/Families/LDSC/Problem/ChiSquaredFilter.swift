/// The SNP filter of spec §4.1: keep χ²_j < χ²_max (strict: equality is removed), with
/// χ²_max = `chisq_max` or, by default, max(0.001 · max N, 80).
public enum ChiSquaredFilter {
    public static func defaultMaximum(sampleSizes: [Double]) -> Double { Swift.max(0.001 * (sampleSizes.max() ?? 0), 80) }

    /// Indices kept, ascending.
    public static func kept(_ chiSquared: [Double], maximum: Double) -> [Int] {
        chiSquared.indices.filter { chiSquared[$0] < maximum }
    }
}

extension RegressionSNPs {
    /// These SNPs restricted to `rows` (ascending indices).
    public func subset(_ rows: [Int]) -> RegressionSNPs {
        RegressionSNPs(ids: rows.map { ids[$0] }, chiSquared: rows.map { chiSquared[$0] }, sampleSizes: rows.map { sampleSizes[$0] },
                       weightLDScores: rows.map { weightLDScores[$0] }, baseline: baseline.map { col in rows.map { col[$0] } },
                       baselineNames: baselineNames)
    }
}
