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

    /// The table as text, header first.
    public static func render(_ solution: LDSolution, variants: [Variant]) -> String {
        header.joined(separator: "\t") + "\n" + renderRows(solution.rows[...], precision: solution.precision, variants: variants)
    }

    /// Rows as text (no header).
    static func renderRows(_ rows: ArraySlice<LDRow>, precision p: Precision, variants: [Variant]) -> String {
        var out = ""
        out.reserveCapacity(rows.count * 120)
        for row in rows {
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

    /// Writes the table to `path`, rendering 50,000 rows at a time so large outputs are not
    /// held twice in memory.
    /// The file gets its name only when complete (`AtomicOutput`).
    public static func write(_ solution: LDSolution, variants: [Variant], to path: String) throws {
        try AtomicOutput.write(path) { temporary in
            try write(solution, variants: variants, path: path, temporary: temporary)
        }
    }

    static func write(_ solution: LDSolution, variants: [Variant], path: String, temporary: String) throws {
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let h = FileHandle(forWritingAtPath: temporary) else {
            throw DataError(file: path, "cannot create the output file")
        }
        defer { try? h.close() }
        do {
            try h.write(contentsOf: Data((header.joined(separator: "\t") + "\n").utf8))
            for start in stride(from: 0, to: solution.rows.count, by: 50_000) {
                let chunk = solution.rows[start..<min(solution.rows.count, start + 50_000)]
                try h.write(contentsOf: Data(renderRows(chunk, precision: solution.precision, variants: variants).utf8))
            }
        } catch {
            throw DataError(file: path, "cannot write: \(error.localizedDescription)")
        }
    }
}
