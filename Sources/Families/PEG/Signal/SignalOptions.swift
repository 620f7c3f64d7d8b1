/// The options of `genobench signal` with mrpeg v0.2's defaults (spec peg.md §9).
public struct SignalOptions: Sendable, Equatable {
    public var gwasColumns = ["CHR", "SNP", "BP", "BETA", "SE"]
    public var annotationColumns = ["CHR", "START", "END", "ANNO"]
    /// Chromosomes to keep (nil: all autosomes).
    public var chromosomes: [Int]? = nil
    /// Total window width in kb; half of it (⌊window·1000/2⌋ bp) flanks each side.
    public var windowKb = 1000.0
    /// Separator inside annotation names: "A,B" counts for A and for B.
    public var separator = ","
    /// Two-sided p cut: SNPs with |Z| ≥ Φ⁻¹(1 − threshold/2) are kept (1 keeps all).
    public var threshold = 1.0
    /// Also write the per-SNP annotation tables.
    public var snpTables = false
    public var trait = "Trait"

    public init() {}

    public var halfWindowBases: Int { Int((windowKb * 1000 / 2).rounded(.down)) }

    /// Checks the options before any file is read (mrpeg: window ≥ 0, 0 < threshold ≤ 1,
    /// chromosomes in 1–22), plus: the same START and END column needs a window > 0.
    public func validate() throws {
        func fail(_ m: String) -> PEGError { .invalidOption(m) }
        guard gwasColumns.count == 5 else { throw fail("--gwas-cols needs 5 names (CHR SNP BP BETA SE), got \(gwasColumns.count)") }
        guard annotationColumns.count == 4 else { throw fail("--ref-cols needs 4 names (CHR START END ANNO), got \(annotationColumns.count)") }
        guard windowKb >= 0 && windowKb.isFinite else { throw fail("--window must be a number of kb >= 0, got \(windowKb)") }
        guard threshold > 0 && threshold <= 1 else { throw fail("--threshold must be in (0, 1], got \(threshold)") }
        if let c = chromosomes, let bad = c.first(where: { !(1...22).contains($0) }) { throw fail("--chr \(bad) is not an autosome 1-22") }
        guard !separator.isEmpty else { throw fail("--split must not be empty") }
        if annotationColumns[1] == annotationColumns[2] && windowKb <= 0 {
            throw fail("--ref-cols names '\(annotationColumns[1])' as both start and end: the intervals are points, so --window must be > 0")
        }
    }
}
