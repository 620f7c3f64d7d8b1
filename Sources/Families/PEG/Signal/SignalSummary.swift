/// Per-annotation statistics of `signal` (spec peg.md §9, step 4) and the tables it writes.
extension SignalAnalysis {
    public static var statisticColumns: [String] {
        ["mean", "sd", "median", "max", "min", "qtl1", "qtl3"].map { $0 + "_chisq" } + ["mean", "sd", "median", "max", "min", "qtl1", "qtl3"].map { $0 + "_z" }
    }
    public static var summaryHeader: [String] { ["ANNO", "CHR", "P0", "P1", "P0_FLANK", "P1_FLANK"] + statisticColumns + ["count", "trait"] }
    public static var snpHeader: [String] { ["CHR", "SNP", "BP", "BETA", "SE", "Z", "ANNO", "trait"] }

    /// mean, population SD, median, max, min, 25th and 75th percentile (linear interpolation,
    /// numpy's default) of `x`.
    static func describe(_ x: [Double]) -> [Double] {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let sd = (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        return [mean, sd, PerturbationMatrix.quantile(x, 0.5), x.max()!, x.min()!, PerturbationMatrix.quantile(x, 0.25), PerturbationMatrix.quantile(x, 0.75)]
    }

    /// One row per annotation name hit by at least one SNP, sorted by name: its window (from the
    /// first annotation, in file order, whose split names include it), the statistics of Z² and
    /// of Z over its unique SNPs, their count and the trait.
    public func summaryTable() -> String {
        var source: [String: Annotation] = [:]
        for a in annotations { for n in Self.splitNames([a.name], separator: options.separator) where source[n] == nil { source[n] = a } }
        var values: [String: [Double]] = [:], members: [String: Set<String>] = [:]
        for (i, s) in snps.enumerated() {
            for n in names[i] where members[n, default: []].insert(s.snp).inserted { values[n, default: []].append(s.z) }
        }
        var lines = [Self.summaryHeader.joined(separator: "\t")]
        for name in values.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let z = values[name]!, a = source[name]!
            let stats = Self.describe(z.map { $0 * $0 }) + Self.describe(z)
            let fields = [name, String(a.chromosome), String(a.p0), String(a.p1), String(a.p0Flank), String(a.p1Flank)]
                + stats.map(Self.format) + [String(z.count), options.trait]
            lines.append(fields.joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The per-SNP tables of `--snps-anno`: `full` has every kept SNP (ANNO empty where it falls
    /// in no window), `filter` only the annotated rows; one row per (SNP, annotation).
    public func snpTables() -> (full: String, filter: String) {
        var full = [Self.snpHeader.joined(separator: "\t")], filter = full
        for (i, s) in snps.enumerated() {
            let base = [String(s.chromosome), s.snp, String(s.position), Self.format(s.beta), Self.format(s.se), Self.format(s.z)]
            if names[i].isEmpty { full.append((base + ["", options.trait]).joined(separator: "\t")) }
            for n in names[i] {
                let line = (base + [n, options.trait]).joined(separator: "\t")
                full.append(line)
                filter.append(line)
            }
        }
        return (full.joined(separator: "\n") + "\n", filter.joined(separator: "\n") + "\n")
    }

    static func format(_ x: Double) -> String { x.isNaN ? "nan" : "\(x)" }
}
