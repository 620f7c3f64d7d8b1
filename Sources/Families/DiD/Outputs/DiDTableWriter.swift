import Foundation
import GenoBenchCore
import GenoBenchData

/// Writes a solution as the `genobench did` table: a header, then one row per feature in input
/// order with `feature beta_DiD se_DiD p_DiD FDR_DiD beta_time p_time n_units n_cells resid_sd
/// status`. Comma-separated for a `.csv` name, tab-separated otherwise. Numbers are the shortest
/// text that reads back to the same value in the backend's precision (`Float` for -f32);
/// undefined values are `nan`.
public enum DiDTableWriter {
    public static let columns = ["feature", "beta_DiD", "se_DiD", "p_DiD", "FDR_DiD", "beta_time", "p_time",
                                 "n_units", "n_cells", "resid_sd", "status"]

    public static func render(_ s: DiDSolution, precision: Precision, delimiter: Character = "\t") -> String {
        func number(_ x: Double) -> String {
            if x.isNaN { return "nan" }
            return precision == .f32 ? "\(Float(x))" : "\(x)"
        }
        func field(_ text: String) -> String {
            guard text.contains(delimiter) || text.contains("\"") || text.contains("\n") else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var out = columns.joined(separator: String(delimiter)) + "\n"
        for (i, f) in s.fits.enumerated() {
            let row = [field(s.features[i]), number(f.betaDiD), number(f.seDiD), number(f.pDiD), number(s.fdr[i]),
                       number(f.betaTime), number(f.pTime), String(f.units), String(f.cells), number(f.residualSD), f.status.rawValue]
            out += row.joined(separator: String(delimiter)) + "\n"
        }
        return out
    }

    /// Writes the table to `path` (comma-separated when it ends in `.csv`).
    public static func write(_ s: DiDSolution, precision: Precision, to path: String) throws {
        let text = render(s, precision: precision, delimiter: path.lowercased().hasSuffix(".csv") ? "," : "\t")
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw DataError(file: path, "cannot write: \(error.localizedDescription)")
        }
    }
}
