/// The analysis options of `genobench peg`, with mrpeg v0.2's defaults (spec peg.md §3).
public struct PEGOptions: Sendable, Equatable {
    public var gwasColumns = ["CHR", "SNP", "A1", "A0", "BETA", "SE"]
    public var eqtlColumns = ["CHR", "SNP", "A1", "A0", "Z", "GENE"]
    /// Fraction in [0, 1] of perturbation entries kept (§4.3).
    public var topSignal = 0.01
    /// Minimum non-zero instruments per downstream gene (§4.10).
    public var minSNPs = 10
    /// LD-weighted estimator with V = R + ldRidge·I; off = LD-prune and V = I (§4.9).
    public var mrLD = false
    /// |r| above which pruning removes a SNP.
    public var corrThreshold = 0.1
    public var keepAmbiguous = false
    /// P.
    public var permutations = 1000
    /// Seed of the permutation stream, ≥ 1.
    public var seed = 12345
    /// `--alt` (§5.3).
    public var alternative = false
    /// Ridge λ on R with `--mr-ld` (mrpeg's fixed 0.001; 0 leaves a singular R singular).
    public var ldRidge = 0.001

    public init() {}

    /// Checks every option before any file is read, naming the option as the command line
    /// spells it. Returns warnings (P < 100).
    public func validate() throws -> [String] {
        func fail(_ m: String) -> PEGError { .invalidOption(m) }
        guard gwasColumns.count == 6 else { throw fail("--gwas-cols needs 6 names (CHR SNP A1 A0 BETA SE), got \(gwasColumns.count)") }
        guard eqtlColumns.count == 6 else { throw fail("--eqtl-cols needs 6 names (CHR SNP A1 A0 Z GENE), got \(eqtlColumns.count)") }
        guard (0...1).contains(topSignal) else { throw fail("--top-signal must be in [0, 1], got \(topSignal)") }
        guard minSNPs >= 1 else { throw fail("--min-snps must be at least 1, got \(minSNPs)") }
        guard (0...1).contains(corrThreshold) else { throw fail("--corr-threshold must be in [0, 1], got \(corrThreshold)") }
        guard permutations >= 1 else { throw fail("--perm-number must be at least 1, got \(permutations)") }
        guard seed >= 1 else { throw fail("--seed must be at least 1, got \(seed)") }
        guard ldRidge >= 0 && ldRidge.isFinite else { throw fail("--ld-ridge must be a finite number >= 0, got \(ldRidge)") }
        if ldRidge != 0.001 && !mrLD { throw fail("--ld-ridge applies to the LD-weighted estimator only: add --mr-ld (without it V = I after pruning)") }
        var warnings: [String] = []
        if permutations < 100 { warnings.append("--perm-number \(permutations) is below 100: the smallest possible permutation p is 2/(P+1) = \(2.0 / Double(permutations + 1))") }
        return warnings
    }
}
