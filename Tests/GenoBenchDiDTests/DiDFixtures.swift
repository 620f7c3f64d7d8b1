import GenoBenchCore
import GenoBenchDiD

/// Small hand-built trials for the spec's §16 cases.
enum DiDFixtures {
    /// Fixture D6 of spec did.md §16: 6 participants, P1–P3 treated, cell values per visit.
    static let d6: [(String, Bool, [Double], [Double])] = [
        ("P1", true, [1.0, 1.2], [2.0, 2.4, 2.2]),
        ("P2", true, [0.5], [1.9, 1.7]),
        ("P3", true, [1.1, 0.9, 1.0], [2.6]),
        ("P4", false, [1.0, 1.4], [1.3]),
        ("P5", false, [0.8], [0.9, 1.1]),
        ("P6", false, [1.2, 1.0], [1.5, 1.1, 1.3]),
    ]

    /// A one-feature table from (participant, treated, baseline cells, follow-up cells) rows.
    static func table(_ spec: [(String, Bool, [Double], [Double])], feature: String = "y") -> CellTable {
        var layout = TrialLayout(visits: ["V1", "V2"], features: [feature])
        layout.participants = spec.map(\.0)
        layout.treated = spec.map(\.1)
        var t = CellTable(layout: layout)
        for (i, p) in spec.enumerated() {
            for (visit, values) in [p.2, p.3].enumerated() {
                for v in values {
                    t.participant.append(Int32(i))
                    t.visit.append(UInt8(visit))
                    t.celltype.append(0)
                    t.values[0].append(v)
                }
            }
        }
        return t
    }

    /// D6-first: only the first cell of each participant-visit.
    static var d6First: [(String, Bool, [Double], [Double])] {
        d6.map { ($0.0, $0.1, [$0.2[0]], [$0.3[0]]) }
    }

    /// A random trial with G participants (the first `treated` treated), 1…maxCells cells per
    /// participant-visit, several features (the first planted with `effect`), participant
    /// intercepts and Gaussian noise; `covariate` adds a per-cell covariate column.
    static func random(participants g: Int, treated: Int, maxCells: Int, features: Int = 3, effect: Double = 0,
                       covariate: Bool = false, seed: UInt64) -> CellTable {
        var rng = RandomSource(seed: seed)
        var layout = TrialLayout(visits: ["V1", "V2"], features: (0..<features).map { "f\($0)" }, covariates: covariate ? ["qc"] : [])
        layout.participants = (0..<g).map { "U\($0)" }
        layout.treated = (0..<g).map { $0 < treated }
        var t = CellTable(layout: layout)
        for i in 0..<g {
            let u = rng.nextNormal() * 2
            for visit in 0..<2 {
                let n = 1 + Int(rng.nextUniform() * Double(maxCells))
                for _ in 0..<n {
                    t.participant.append(Int32(i))
                    t.visit.append(UInt8(visit))
                    t.celltype.append(0)
                    let qc = rng.nextNormal()
                    if covariate { t.covariates[0].append(qc) }
                    for f in 0..<features {
                        let planted = f == 0 && i < treated && visit == 1 ? effect : 0
                        t.values[f].append(3 + u + 0.4 * Double(visit) + planted + rng.nextNormal() + (covariate ? 0.5 * qc : 0))
                    }
                }
            }
        }
        return t
    }
}
