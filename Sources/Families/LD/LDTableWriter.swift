import Foundation
import GenoBenchCore
import GenoBenchData

/// Writes an LD solution as a tab-separated table, one row per pair (a < b, `.bim` order).
///
/// Columns: `chrom_a pos_a id_a chrom_b pos_b id_b n r r2 d dprime r2_hap flags` then the nine
/// genotype-table counts `g00 … g22` (rows: A's counted-allele copies; columns: B's).
/// `r`, `r2` are the dosage statistics (PLINK 1.9 `--r`/`--r2` with `--keep-allele-order`);
/// `d`, `dprime`, `r2_hap` come from the haplotype-frequency estimate. Numbers are printed in
/// the shortest form that reads back to the same value in the backend's precision; undefined
/// values are `nan`.
public struct LDTableWriter {
    public static let header = ["chrom_a", "pos_a", "id_a", "chrom_b", "pos_b", "id_b", "n", "r", "r2", "d", "dprime",
                                "r2_hap", "flags", "g00", "g01", "g02", "g10", "g11", "g12", "g20", "g21", "g22"]

    public static func format(_ x: Double, _ precision: Precision) -> String {
        if x.isNaN { return "nan" }
        return precision == .f32 ? "\(Float(x))" : "\(x)"
    }

    /// The table as text.
    public static func render(_ solution: LDSolution, variants: [Variant]) -> String {
        var out = header.joined(separator: "\t") + "\n"
        out.reserveCapacity(solution.rows.count * 120)
        let p = solution.precision
        for row in solution.rows {
            let a = variants[Int(row.indexA)], b = variants[Int(row.indexB)]
            var fields = [a.chromosome, String(a.position), a.id, b.chromosome, String(b.position), b.id,
                          String(row.sampleCount), format(row.r, p), format(row.r2, p), format(row.d, p),
                          format(row.dPrime, p), format(row.r2Haplotype, p), String(row.flags.rawValue)]
            fields += row.table.array.map(String.init)
            out += fields.joined(separator: "\t")
            out += "\n"
        }
        return out
    }

    /// Writes the table to `path` (streamed in chunks so large outputs do not double in memory).
    public static func write(_ solution: LDSolution, variants: [Variant], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw DataError(file: path, "cannot create the output file")
        }
        defer { try? h.close() }
        let chunk = 50_000
        var start = 0
        var first = true
        repeat {
            let end = min(solution.rows.count, start + chunk)
            var part = LDSolution(precision: solution.precision, rows: Array(solution.rows[start..<end]), pairsCompared: 0)
            var text = render(part, variants: variants)
            if !first { text = String(text.drop(while: { $0 != "\n" }).dropFirst()) }
            try h.write(contentsOf: Data(text.utf8))
            part.rows = []
            first = false
            start = end
        } while start < solution.rows.count
    }
}
