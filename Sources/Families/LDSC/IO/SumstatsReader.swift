import GenoBenchData

/// GWAS summary statistics in LDSC's `.sumstats` format (spec §4.1): whitespace-separated with
/// a header naming at least `SNP`, `Z` and `N` (any case; other columns such as A1 A2 are
/// ignored), gzip or plain.
///
/// A duplicated SNP keeps its first line (gsMap and LDSC do the same) and is reported in the
/// warnings with its line numbers. Z given as `NA`/`nan` drops the SNP (counted in a warning);
/// any other non-number in Z or N, or N ≤ 0, is an error naming the line.
public struct Sumstats: Sendable {
    public var ids: [String]
    public var z: [Double]
    public var sampleSizes: [Double]
    public var warnings: [String]

    public static func read(_ path: String) throws -> Sumstats {
        try read(try TextLines.open(path))
    }

    /// Reads summary statistics from any line source (`source.path` names it in errors).
    public static func read(_ source: TextLines) throws -> Sumstats {
        let path = source.path
        var table = try WhitespaceTable(lines: source)
        let purpose = "LDSC summary statistics with columns SNP, Z and N"
        let si = try table.require("SNP", purpose: purpose), zi = try table.require("Z", purpose: purpose)
        let ni = try table.require("N", purpose: purpose)
        var out = Sumstats(ids: [], z: [], sampleSizes: [], warnings: [])
        var seen: [String: Int] = [:]
        var duplicates = 0, firstDuplicate: String?, missingZ = 0
        while let f = try table.next() {
            let id = String(f[si])
            if let first = seen[id] {
                duplicates += 1
                if firstDuplicate == nil { firstDuplicate = "SNP \(id) on line \(table.lineNumber) repeats line \(first)" }
                continue
            }
            seen[id] = table.lineNumber
            let zText = f[zi].lowercased()
            if zText == "na" || zText == "nan" { missingZ += 1; continue }
            guard let z = Double(f[zi]), z.isFinite else {
                throw DataError(file: path, line: table.lineNumber, "Z is '\(f[zi])' for SNP \(id), expected a finite number")
            }
            guard let n = Double(f[ni]), n.isFinite, n > 0 else {
                throw DataError(file: path, line: table.lineNumber, "N is '\(f[ni])' for SNP \(id), expected a positive sample size")
            }
            out.ids.append(id); out.z.append(z); out.sampleSizes.append(n)
        }
        guard !out.ids.isEmpty else { throw DataError(file: path, "has no SNP with a Z and an N below the header") }
        if duplicates > 0 { out.warnings.append("\(path): \(duplicates) duplicated SNP line(s) dropped, the first kept (\(firstDuplicate!))") }
        if missingZ > 0 { out.warnings.append("\(path): \(missingZ) SNP(s) with Z = NA dropped") }
        return out
    }
}
