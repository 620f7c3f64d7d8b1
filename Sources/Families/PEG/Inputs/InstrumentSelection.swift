import GenoBenchData

/// One instrument: the SNP chosen for one perturbed gene, its effects aligned to the
/// reference panel's allele pair (.bim columns 5 and 6).
public struct Instrument: Sendable, Equatable {
    public var chromosome: Int
    public var snp: String
    public var gene: String
    public var position: Int
    /// Row of the chromosome's .bim (0-based).
    public var variantIndex: Int
    public var beta: Double
    public var se: Double
    public var z: Double
}

/// Matching, allele alignment and instrument choice on one chromosome (spec peg.md §4.5–4.7).
enum InstrumentSelection {
    /// The first allele mismatch seen, for an error when nothing survives.
    struct Mismatch { var text: String }

    /// eQTL rows (this chromosome, sorted by SNP) inner-joined with the .bim on SNP id, then
    /// with the GWAS; alleles compared by exact string equality with the .bim pair (A1 = column
    /// 5, A0 = column 6): same order kept, swapped kept and negated (BETA, Z), anything else
    /// (strand complements included) dropped, GWAS mismatches first, then eQTL. Then each SNP
    /// keeps only its gene with the largest |Z|, and each gene only its SNP with the largest |Z|;
    /// ties go to the first row.
    static func select(eqtl: [EQTLRecord], gwas: [String: GWASRecord], fileset: PlinkFileset, prefix: String, chromosome: Int,
                       eqtlSource: String, gwasSource: String, log: inout FilterLog, mismatch: inout Mismatch?) -> [Instrument] {
        var bim: [String: Int] = [:]
        var duplicateBim = 0
        for (i, v) in fileset.variants.enumerated() where FieldValue.autosome(v.chromosome[...]) == chromosome {
            if bim[v.id] == nil { bim[v.id] = i } else { duplicateBim += 1 }
        }
        struct Row { var e: EQTLRecord; var g: GWASRecord; var variant: Int; var flipGWAS: Bool; var flipEQTL: Bool }
        var joined: [Row] = []
        var inReference = 0
        for e in eqtl {
            guard let v = bim[e.snp] else { continue }
            inReference += 1
            guard let g = gwas[e.snp] else { continue }
            joined.append(Row(e: e, g: g, variant: v, flipGWAS: false, flipEQTL: false))
        }
        var badGWAS = 0, badEQTL = 0
        func check(_ a1: String, _ a0: String, _ v: Variant) -> Bool? {
            if a1 == v.allele1 && a0 == v.allele2 { return false }
            if a1 == v.allele2 && a0 == v.allele1 { return true }
            return nil
        }
        var aligned: [Row] = []
        for var row in joined {
            let v = fileset.variants[row.variant]
            guard let fg = check(row.g.a1, row.g.a0, v) else {
                badGWAS += 1
                if mismatch == nil { mismatch = Mismatch(text: "\(gwasSource) line \(row.g.line): \(row.g.snp) alleles \(row.g.a1)/\(row.g.a0) match neither \(v.allele1)/\(v.allele2) nor \(v.allele2)/\(v.allele1) of \(prefix).bim line \(row.variant + 1)") }
                continue
            }
            row.flipGWAS = fg
            aligned.append(row)
        }
        aligned = aligned.filter { row in
            let v = fileset.variants[row.variant]
            guard check(row.e.a1, row.e.a0, v) != nil else {
                badEQTL += 1
                if mismatch == nil { mismatch = Mismatch(text: "\(eqtlSource) line \(row.e.line): \(row.e.snp) alleles \(row.e.a1)/\(row.e.a0) match neither \(v.allele1)/\(v.allele2) nor \(v.allele2)/\(v.allele1) of \(prefix).bim line \(row.variant + 1)") }
                return false
            }
            return true
        }
        for i in aligned.indices { aligned[i].flipEQTL = check(aligned[i].e.a1, aligned[i].e.a0, fileset.variants[aligned[i].variant])! }
        let flipsGWAS = Set(aligned.filter(\.flipGWAS).map(\.g.line)).count, flipsEQTL = aligned.filter(\.flipEQTL).count
        // A SNP instruments at most one gene, then a gene has one instrument: largest |Z|, first on ties.
        var bestForSNP: [String: Int] = [:]
        for (i, row) in aligned.enumerated() {
            if let j = bestForSNP[row.e.snp] { if abs(row.e.z) > abs(aligned[j].e.z) { bestForSNP[row.e.snp] = i } } else { bestForSNP[row.e.snp] = i }
        }
        let perSNP = aligned.indices.filter { bestForSNP[aligned[$0].e.snp] == $0 }
        var bestForGene: [String: Int] = [:]
        for i in perSNP {
            let gene = aligned[i].e.gene
            if let j = bestForGene[gene] { if abs(aligned[i].e.z) > abs(aligned[j].e.z) { bestForGene[gene] = i } } else { bestForGene[gene] = i }
        }
        let chosen = perSNP.filter { bestForGene[aligned[$0].e.gene] == $0 }
        let out = chosen.map { i -> Instrument in
            let r = aligned[i]
            return Instrument(chromosome: chromosome, snp: r.e.snp, gene: r.e.gene, position: fileset.variants[r.variant].position,
                              variantIndex: r.variant, beta: r.flipGWAS ? -r.g.beta : r.g.beta, se: r.g.se, z: r.flipEQTL ? -r.e.z : r.e.z)
        }
        log.note("chr\(chromosome) \(prefix): \(eqtl.count) eQTL rows, \(inReference) in the reference\(duplicateBim > 0 ? " (\(duplicateBim) duplicate .bim ids ignored)" : ""), \(joined.count) also in the GWAS; dropped \(badGWAS) for GWAS alleles and \(badEQTL) for eQTL alleles that match neither order of the reference pair; flipped \(flipsGWAS) GWAS and \(flipsEQTL) eQTL rows; \(perSNP.count) SNP-gene pairs after one gene per SNP, \(out.count) instruments after one SNP per gene")
        return out
    }
}
