import Foundation
import GenoBenchData

/// Writes a fit as GCTA's `.hsq` lays it out (tab-separated `Source Variance SE`): V(G1)..,
/// V(e), Vp, V(G1)/Vp.., `Sum of V(G)/Vp` (more than one component), logL, logL0, LRT, df,
/// Pval, n; then GenoBench's additions: h2_raw and a Status line (converged, iterations, or
/// why not). V(Gi)/Vp rows are the trace-weighted shares of spec reml.md §1.6 (GCTA's ratio
/// when every atom is 1); variances are on the phenotype's own scale; logL omits the
/// −½(n − p)·log 2π constant, as GCTA's does. A missing SE (a parameter at its bound) is NA.
public enum HsqWriter {
    public static func text(_ e: REMLEstimates) -> String {
        func f(_ x: Double) -> String { x.isNaN ? "NA" : String(format: "%.8g", x) }
        let g = e.atoms.count
        var rows: [[String]] = [["Source", "Variance", "SE"]]
        for i in 0..<g { rows.append(["V(G\(i + 1))", f(e.variances[i]), f(e.standardErrors[i])]) }
        rows.append(["V(e)", f(e.variances[g]), f(e.standardErrors[g])])
        rows.append(["Vp", f(e.vp), f(e.vpSE)])
        for i in 0..<g { rows.append(["V(G\(i + 1))/Vp", f(e.shares[i]), f(e.sharesSE[i])]) }
        if g > 1 { rows.append(["Sum of V(G)/Vp", f(e.h2), f(e.h2SE)]) }
        rows.append(["logL", String(format: "%.6f", e.logL)])
        rows.append(["logL0", String(format: "%.6f", e.logL0)])
        rows.append(["LRT", String(format: "%.6f", e.lrt)])
        rows.append(["df", String(e.df)])
        rows.append(["Pval", String(format: "%.4g", e.pValue)])
        rows.append(["n", String(e.sampleCount)])
        rows.append(["h2_raw", f(e.h2Raw)])
        rows.append(["Status", e.statusLine])
        return rows.map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n"
    }

    public static func write(_ e: REMLEstimates, to path: String) throws {
        do { try text(e).write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw DataError(file: path, "cannot write: \(error.localizedDescription)")
        }
    }
}
