import Foundation
import GenoBenchCore
import GenoBenchDiD
import XCTest
import _GenoBenchTestSupport

/// Spec did.md §16 case 12: a covariate that varies within participant (per-cell `qc`,
/// pseudobulk mean): backends and the GSL reference equal sctrial 1.0.0 / statsmodels 0.15
/// outputs stored in reference-data/did-small (MANIFEST.md says how they were made).
final class DiDGoldenTests: XCTestCase {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reference-data/did-small").path

    /// sctrial's table by feature: column name → value.
    func sctrial(_ name: String) throws -> [String: [String: Double]] {
        let lines = try String(contentsOfFile: dir + "/" + name, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        let header = lines[0]
        var out: [String: [String: Double]] = [:]
        for row in lines.dropFirst() {
            let feature = row[header.firstIndex(of: "feature")!]
            out[feature] = Dictionary(uniqueKeysWithValues: zip(header, row).compactMap { k, v in Double(v).map { (k, $0) } })
        }
        return out
    }

    func testCovariateVaryingWithinParticipantMatchesStatsmodels() throws {
        var request = CellTableRequest(path: dir + "/cells.tsv", participantColumn: "participant", visitColumn: "visit", armColumn: "arm",
                                       treatedLabel: "Treated", visits: ["V1", "V2"])
        request.covariates = ["qc"]
        request.celltypeColumn = "celltype"
        for (mode, file) in [(AggregateMode.participantVisit, "sctrial_participant_visit.tsv"), (.cell, "sctrial_cell.tsv")] {
            let want = try sctrial(file)
            let options = DiDOptions(aggregate: mode, standardize: false)
            let backend = mode == .cell ? "cell-f64" : "pseudobulk-f64"
            let got = try DiDAnalysis(request: request, options: options, backend: backend).run(context: RunContext()).solution
            let table = try CellTableReader(request).readTable(context: RunContext())
            let problem = DiDProblem(cells: table, options: options)
            let gsl = mode == .cell ? try XCTUnwrap(DiDReference.cell(problem)) : DiDReference.pseudobulk(problem)
            XCTAssertEqual(got.features, ["f1", "f2", "f3"])
            for (i, feature) in got.features.enumerated() {
                let w = try XCTUnwrap(want[feature])
                for (name, f) in [(backend, got.fits[i]), ("GSL", gsl.fits[i])] {
                    XCTAssert(f.droppedCovariates.isEmpty)
                    assertClose(f.betaDiD, w["beta_DiD"]!, relative: 1e-10, "\(name) \(feature) β")
                    assertClose(f.seDiD, w["se_DiD"]!, relative: 1e-10, "\(name) \(feature) SE")
                    assertClose(f.pDiD, w["p_DiD"]!, relative: 1e-8, "\(name) \(feature) p")
                    assertClose(f.betaTime, w["beta_time"]!, relative: 1e-10, "\(name) \(feature) β_time")
                    assertClose(f.pTime, w["p_time"]!, relative: 1e-8, "\(name) \(feature) p_time")
                    assertClose(f.residualSD, w["resid_sd"]!, relative: 1e-10, "\(name) \(feature) resid_sd")
                    XCTAssertEqual(Double(f.units), w["n_units"]!)
                }
                assertClose(got.fdr[i], w["FDR_DiD"]!, relative: 1e-8, "\(feature) FDR")
            }
        }
    }
}
