import ArgumentParser
import Foundation
import GenoBenchCore
import GenoBenchHarness
import GenoBenchPEG

struct SignalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signal", abstract: "Summarise GWAS z² inside gene or annotation windows (mrpeg signal).",
        discussion: """
        Spec peg.md §9. Each annotation [START, END] is flanked by half of --window kb on each side and indexed as \
        the half-open interval [P0_FLANK, P1_FLANK); every kept GWAS SNP is assigned to the windows containing it. \
        Writes PREFIX.signal.tsv (ANNO CHR P0 P1 P0_FLANK P1_FLANK, mean/sd/median/max/min/qtl1/qtl3 of chisq and of z, \
        count, trait); with --snps-anno also PREFIX.full.anno.tsv.gz and PREFIX.filter.anno.tsv.gz. Backends \
        interval-tree and linear-scan give identical output.
        """)

    @Option(help: "GWAS summary statistics (TSV, gzip ok).") var gwas: String
    @Option(help: "Annotation table (TSV, gzip ok).") var ref: String
    @Option(name: .customLong("gwas-cols"), parsing: .upToNextOption, help: "GWAS column names: CHR SNP BP BETA SE.")
    var gwasCols: [String] = ["CHR", "SNP", "BP", "BETA", "SE"]
    @Option(name: .customLong("ref-cols"), parsing: .upToNextOption, help: "Annotation column names: CHR START END ANNO.")
    var refCols: [String] = ["CHR", "START", "END", "ANNO"]
    @Option(name: .customLong("chr"), parsing: .upToNextOption, help: "Chromosomes to keep (1-22; default all).") var chr: [Int] = []
    @Option(help: "One-column file of annotation names to keep (no header).") var keep: String?
    @Option(help: "Window width in kb (half on each side).") var window = 1000.0
    @Option(help: "Separator inside annotation names.") var split = ","
    @Option(help: "Two-sided p cut: keep SNPs with |Z| >= Φ⁻¹(1 − threshold/2).") var threshold = 1.0
    @Flag(name: .customLong("snps-anno"), help: "Also write the per-SNP annotation tables.") var snpsAnno = false
    @Option(help: "Label written in the trait column.") var trait = "Trait"
    @Option(help: "Interval backend: interval-tree or linear-scan.") var backend = "interval-tree"
    @Option(help: "Output prefix.") var out = "genobench"
    @Flag(name: [.customShort("c"), .long], help: "gzip the summary table.") var compress = false
    @Flag(help: "No log on standard error.") var quiet = false

    func run() throws {
        try Failure.guarded {
            var o = SignalOptions()
            o.gwasColumns = gwasCols; o.annotationColumns = refCols; o.chromosomes = chr.isEmpty ? nil : chr; o.windowKb = window
            o.separator = split; o.threshold = threshold; o.snpTables = snpsAnno; o.trait = trait
            try o.validate()
            guard ["interval-tree", "linear-scan"].contains(backend) else {
                throw PEGError.invalidOption("unknown signal backend '\(backend)' (known: interval-tree, linear-scan)")
            }
            let keepNames = try keep.map { path in
                try TextFile.read(path).splitLines().map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            }
            let g = try TextTable.read(gwas), a = try TextTable.read(ref)
            let (measured, m) = try Measure.call { () -> (String, (String, String)?, FilterLog) in
                if backend == "linear-scan" {
                    let s = try SignalAnalysis<LinearScan>(gwas: g, annotations: a, keep: keepNames, options: o)
                    return (s.summaryTable(), snpsAnno ? s.snpTables() : nil, s.log)
                }
                let s = try SignalAnalysis<IntervalTree>(gwas: g, annotations: a, keep: keepNames, options: o)
                return (s.summaryTable(), snpsAnno ? s.snpTables() : nil, s.log)
            }
            let (summary, tables, log) = measured
            let path = out + ".signal.tsv" + (compress ? ".gz" : "")
            try TextFile.write(summary, to: path, compress: compress)
            if let tables {
                try TextFile.write(tables.0, to: out + ".full.anno.tsv.gz", compress: true)
                try TextFile.write(tables.1, to: out + ".filter.anno.tsv.gz", compress: true)
            }
            if !quiet {
                log.lines.forEach { note("signal: " + $0) }
                note(String(format: "signal: %@ wrote %@ (%d annotations); wall %.3f s", backend, path, summary.split(separator: "\n").count - 1, m.wallSeconds))
            }
        }
    }
}
