import GenoBenchCore
import GenoBenchData

/// The counts mrpeg reports per downstream gene (spec peg.md §4.11).
public struct GeneCounts: Sendable, Equatable {
    /// #{i : Π_ij ≠ 0}.
    public var perturbTop: Int
    /// k, the same for every gene.
    public var perturbAll: Int
    /// #{i : Π_ij ≠ 0 and |β_i / s_i| > 5.45}.
    public var gwasSignificant: Int
}

/// Files (or their text) turned into a `PEGProblem`, in mrpeg's order of steps (spec §4),
/// with every step's counts in the log.
public struct PEGAnalysis: Sendable {
    public var problem: PEGProblem
    public var instruments: [Instrument]
    public var counts: [GeneCounts]
    public var log: FilterLog

    /// |β/s| above this counts as genome-wide significant (two-sided z for 5e-8).
    public static let gwasSignificantZ = 5.45

    /// Runs §4.1–4.11: reads and filters the tables, thresholds the perturbation matrix, keeps
    /// shared genes, then per chromosome matches with the reference, aligns alleles, chooses one
    /// instrument per gene, computes LD and either keeps R + λI (`--mr-ld`) or prunes and uses
    /// I; assembles, applies `--min-snps`, and draws the permutation stream.
    public init(gwas: TextTable, eqtl: TextTable, perturbation: TextTable, reference: ReferencePanel, options: PEGOptions) throws {
        var log = FilterLog()
        try self.init(gwas: gwas, eqtl: eqtl, perturbation: perturbation, reference: reference, options: options, log: &log)
    }

    /// The same, noting each step's counts in `log` as it goes, so a caller still has the
    /// counts of the steps before a failure (`genobench peg` writes them to PREFIX.log).
    public init(gwas: TextTable, eqtl: TextTable, perturbation: TextTable, reference: ReferencePanel, options: PEGOptions,
                log: inout FilterLog) throws {
        for w in try options.validate() { log.warn(w) }
        let gwasRows = try SummaryStatistics.gwas(gwas, columns: options.gwasColumns, keepAmbiguous: options.keepAmbiguous, log: &log)
        let eqtlRows = try SummaryStatistics.eqtl(eqtl, columns: options.eqtlColumns, log: &log)
        let matrix = try PerturbationMatrix.read(perturbation, topSignal: options.topSignal, log: &log)
        guard !matrix.downstream.isEmpty else {
            throw DataError(file: perturbation.source, "no downstream gene has \(PerturbationMatrix.minimumKeptPerDownstream) or more entries with |effect| >= \(matrix.threshold) (--top-signal \(options.topSignal)); raise --top-signal")
        }
        // §4.4 shared genes, sorted by (CHR, SNP), stable.
        let shared = eqtlRows.filter { matrix.rows[$0.gene] != nil }
            .enumerated().sorted { ($0.element.chromosome, $0.element.snp, $0.offset) < ($1.element.chromosome, $1.element.snp, $1.offset) }
            .map(\.element)
        let sharedGenes = Set(shared.map(\.gene)).count
        log.note("shared: \(sharedGenes) genes in both the eQTL table and the thresholded perturbation matrix (\(shared.count) eQTL rows)")
        guard sharedGenes >= 3 else {
            throw DataError(file: eqtl.source, "only \(sharedGenes) gene(s) shared with the perturbation matrix \(perturbation.source) (GENE column vs its first column after --top-signal): at least 3 are needed")
        }
        if sharedGenes <= 30 { log.warn("only \(sharedGenes) shared genes: estimates rest on few instruments") }
        var gwasByChromosome: [Int: [String: GWASRecord]] = [:]
        var duplicateGWAS = 0
        for g in gwasRows {
            if gwasByChromosome[g.chromosome]?[g.snp] == nil { gwasByChromosome[g.chromosome, default: [:]][g.snp] = g } else { duplicateGWAS += 1 }
        }
        if duplicateGWAS > 0 { log.warn("\(duplicateGWAS) GWAS rows repeat a (CHR, SNP) already seen: the first is used") }
        let priority = matrix.rows.mapValues { row in row.reduce(0) { $0 + abs($1) } / Double(max(row.count, 1)) }
        // §4.5–4.9 per chromosome.
        var instruments: [Instrument] = []
        var blocks: [Matrix<Double>] = []
        var mismatch: InstrumentSelection.Mismatch?
        for c in Set(shared.map(\.chromosome)).sorted() {
            let prefix = ReferencePanel.prefix(reference.pattern, c)
            let fileset = try reference.fileset(chromosome: c)
            var chosen = InstrumentSelection.select(eqtl: shared.filter { $0.chromosome == c }, gwas: gwasByChromosome[c] ?? [:], fileset: fileset,
                                                    prefix: prefix, chromosome: c, eqtlSource: eqtl.source, gwasSource: gwas.source,
                                                    log: &log, mismatch: &mismatch)
            if chosen.isEmpty { continue }
            var (r, constant) = try ReferencePanel.correlation(fileset, variants: chosen.map(\.variantIndex))
            if !constant.isEmpty {
                log.warn("chr\(c): \(constant.count) instrument(s) without variation in the reference panel dropped (\(constant.prefix(3).map { chosen[$0].snp }.joined(separator: ", ")))")
                let keep = chosen.indices.filter { !constant.contains($0) }
                chosen = keep.map { chosen[$0] }
                r = Self.submatrix(r, keep)
            }
            if options.mrLD {
                for i in 0..<r.rows { r[i, i] += options.ldRidge }
                blocks.append(r)
            } else {
                let keep = LDPruning.keep(positions: chosen.map(\.position), priority: chosen.map { priority[$0.gene]! }, r: r,
                                          threshold: options.corrThreshold)
                log.note("chr\(c): LD pruning (|r| > \(options.corrThreshold) within \(LDPruning.windowBases) bp) removed \(chosen.count - keep.count) of \(chosen.count) instruments")
                chosen = keep.map { chosen[$0] }
            }
            instruments += chosen
        }
        guard !instruments.isEmpty else {
            throw DataError(file: gwas.source, "no instrument left after matching the eQTL, GWAS and reference SNPs\(mismatch.map { ": every candidate was dropped, e.g. \($0.text)" } ?? " (no SNP is in all three)")")
        }
        try self.init(instruments: instruments, blocks: options.mrLD ? blocks : nil, matrix: matrix, options: options, log: &log)
    }

    /// §4.10 assembly: Π rows of the instruments' genes, `--min-snps`, then instruments with
    /// no non-zero effect left; V restricted; positive definiteness checked in Double.
    init(instruments all: [Instrument], blocks: [Matrix<Double>]?, matrix: PerturbationMatrix, options: PEGOptions, log: inout FilterLog) throws {
        let rows = all.map { matrix.rows[$0.gene]! }
        let nonZero = matrix.downstream.indices.map { j in rows.reduce(0) { $0 + ($1[j] != 0 ? 1 : 0) } }
        let genes = matrix.downstream.indices.filter { nonZero[$0] >= options.minSNPs }
        let keepInstruments = all.indices.filter { i in genes.contains { rows[i][$0] != 0 } }
        log.note("assembly: \(all.count) instruments x \(matrix.downstream.count) downstream genes; --min-snps \(options.minSNPs) dropped \(matrix.downstream.count - genes.count) genes; \(all.count - keepInstruments.count) instruments without a non-zero effect on the remaining genes dropped; k = \(keepInstruments.count), t = \(genes.count)")
        guard !genes.isEmpty else {
            throw DataError(file: "assembly", "no downstream gene has --min-snps \(options.minSNPs) non-zero entries among the \(all.count) instruments (most: \(nonZero.max() ?? 0)); lower --min-snps or raise --top-signal")
        }
        guard keepInstruments.count >= 2 else { throw DataError(file: "assembly", "only \(keepInstruments.count) instrument left: the t test needs k >= 2") }
        let instruments = keepInstruments.map { all[$0] }
        let k = instruments.count
        var pi = Matrix<Double>(rows: k, columns: genes.count)
        for (i, source) in keepInstruments.enumerated() { for (j, g) in genes.enumerated() { pi[i, j] = rows[source][g] } }
        var ld = InstrumentLD.identity
        if let blocks {
            var out: [LDBlock] = []
            var offset = 0, start = 0
            for block in blocks {
                let range = offset..<(offset + block.rows)
                let local = keepInstruments.filter(range.contains).map { $0 - offset }
                offset += block.rows
                if local.isEmpty { continue }
                let v = Self.submatrix(block, local)
                if case .failure = v.choleskyFactor() {
                    let c = instruments[start].chromosome
                    var worst = (0.0, 0, 0)
                    for a in 0..<v.rows { for b in 0..<a where abs(v[a, b]) > worst.0 { worst = (abs(v[a, b]), a, b) } }
                    throw DataError(file: "chr\(c) LD", "V = R + \(options.ldRidge)·I over \(v.rows) instruments is not positive definite (largest |V_ab| = \(worst.0) between \(instruments[start + worst.1].snp) and \(instruments[start + worst.2].snp)); use --ld-ridge > 0 or leave out --mr-ld")
                }
                out.append(LDBlock(start: start, matrix: v))
                start += local.count
            }
            ld = .blocks(out)
        }
        let stream = PermutationStream(seed: UInt64(options.seed), count: options.permutations, length: k)
        var problem = try PEGProblem(beta: instruments.map(\.beta), standardErrors: instruments.map(\.se), eqtlZ: instruments.map(\.z),
                                     perturbation: pi, ld: ld, alternative: options.alternative, permutations: stream,
                                     geneNames: genes.map { matrix.downstream[$0] })
        problem.instrumentIDs = instruments.map(\.snp)
        problem.instrumentGenes = instruments.map(\.gene)
        self.problem = problem
        self.instruments = instruments
        counts = (0..<genes.count).map { j in
            let top = (0..<k).filter { pi[$0, j] != 0 }
            return GeneCounts(perturbTop: top.count, perturbAll: k,
                              gwasSignificant: top.filter { abs(instruments[$0].beta / instruments[$0].se) > Self.gwasSignificantZ }.count)
        }
        self.log = log
    }

    static func submatrix(_ m: Matrix<Double>, _ keep: [Int]) -> Matrix<Double> {
        var out = Matrix<Double>(rows: keep.count, columns: keep.count)
        for (b, j) in keep.enumerated() { for (a, i) in keep.enumerated() { out[a, b] = m[i, j] } }
        return out
    }
}
