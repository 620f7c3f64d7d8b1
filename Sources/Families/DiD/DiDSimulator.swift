import GenoBenchCore

/// Seeded single-cell trial data with known interaction effects.
///
/// Participants `P001…` (the first round(P·treatedFraction) treated), visits V1/V2, for each
/// participant × visit a cell count drawn uniformly from C/2…C/2 + C (mean ≈ C, at least 1), and
/// per cell and feature f
///
///     y = 2 + u_if + 0.3·t + δ_f·t·a_i + g_itf + ε + 0.3·qc
///
/// with participant intercepts u ~ N(0, 1), participant × visit noise g ~ N(0, 0.5²), cell
/// noise ε ~ N(0, 1), δ_f = `effect` for the first `effectFeatures` features and 0 for the rest,
/// qc a per-cell covariate ~ N(0, 1) (only with covariates ≥ 1) and `age` a per-participant
/// covariate (covariates = 2; time-invariant, so collinear with the fixed effects). Values are
/// rounded to 4 decimals (m / 10⁴ with m an integer: the nearest Double to the decimal text, so
/// a written file reads back bit-identically). The last `unpaired` participants have no
/// follow-up cells; with `missingRate` > 0 values are NaN at random.
public struct DiDSimulator: Sendable {
    public var participants: Int
    public var cellsPerSample: Int
    public var features: Int
    public var effect = 0.5
    /// Features carrying the effect; nil: max(1, features / 5).
    public var effectFeatures: Int?
    public var treatedFraction = 0.5
    public var unpaired = 0
    public var missingRate = 0.0
    /// Cell-type labels drawn uniformly per cell (T, B, NK, …); 0 = no cell-type column.
    public var celltypes = 3
    public var covariates = 0
    public var seed: UInt64

    public init(participants: Int, cellsPerSample: Int, features: Int, seed: UInt64) {
        self.participants = participants
        self.cellsPerSample = cellsPerSample
        self.features = features
        self.seed = seed
    }

    public static let celltypeLabels = ["T", "B", "NK", "Mono", "DC", "Plasma", "Platelet", "Other"]

    public func validate() throws {
        func fail(_ m: String) -> DiDError { .invalidOption(m) }
        guard participants >= 2 else { throw fail("--participants must be at least 2, got \(participants)") }
        guard cellsPerSample >= 1 else { throw fail("--cells-per-sample must be at least 1, got \(cellsPerSample)") }
        guard features >= 1 else { throw fail("--features must be at least 1, got \(features)") }
        guard (0...1).contains(treatedFraction) else { throw fail("--treated-fraction must be in [0, 1], got \(treatedFraction)") }
        guard (0..<participants).contains(unpaired) else { throw fail("--unpaired must be in 0..<\(participants), got \(unpaired)") }
        guard (0..<1).contains(missingRate) else { throw fail("--missing-rate must be in [0, 1), got \(missingRate)") }
        guard (0...Self.celltypeLabels.count).contains(celltypes) else { throw fail("--celltypes must be in 0...\(Self.celltypeLabels.count), got \(celltypes)") }
        guard (0...2).contains(covariates) else { throw fail("--covariates must be 0, 1 (qc) or 2 (qc, age), got \(covariates)") }
        if let e = effectFeatures, !(0...features).contains(e) { throw fail("--effect-features must be in 0...\(features), got \(e)") }
        guard effect.isFinite else { throw fail("--effect must be finite") }
    }

    public var plantedFeatures: Int { effectFeatures ?? max(1, features / 5) }
    public var featureNames: [String] { (1...features).map { "f\($0)" } }
    public var covariateNames: [String] { Array(["qc", "age"].prefix(covariates)) }
    public var truth: [Double] { (0..<features).map { $0 < plantedFeatures ? effect : 0 } }

    /// The layout every simulated table shares (participants, arms, labels).
    public var layout: TrialLayout {
        var l = TrialLayout(visits: ["V1", "V2"], features: featureNames, covariates: covariateNames)
        let treatedCount = Int((Double(participants) * treatedFraction).rounded())
        l.participants = (1...participants).map { "P" + String(repeating: "0", count: max(0, 3 - String($0).count)) + String($0) }
        l.treated = (0..<participants).map { $0 < treatedCount }
        l.celltypes = Array(Self.celltypeLabels.prefix(celltypes))
        return l
    }

    /// Generates the cells participant by participant (one block per participant × visit).
    public func generate(_ emit: (CellBlock) throws -> Void) throws {
        try validate()
        let layout = self.layout
        var rng = RandomSource(seed: seed)
        let f = features, k = covariates
        let delta = truth
        var block = CellBlock(featureCount: f, covariateCount: k)
        for i in 0..<participants {
            let u = (0..<f).map { _ in rng.nextNormal() }
            let age = 40 + 10 * rng.nextNormal()
            let a: Double = layout.treated[i] ? 1 : 0
            for t in 0..<(i >= participants - unpaired ? 1 : 2) {
                let n = max(1, cellsPerSample / 2 + Int(rng.nextUniform() * Double(cellsPerSample + 1)))
                let groupNoise = (0..<f).map { _ in 0.5 * rng.nextNormal() }
                block.removeAll()
                for _ in 0..<n {
                    block.participant.append(Int32(i))
                    block.visit.append(UInt8(t))
                    block.celltype.append(celltypes == 0 ? 0 : Int32(rng.nextUniform() * Double(celltypes)))
                    let qc = k >= 1 ? rng.nextNormal() : 0
                    if k >= 1 { block.covariates.append(Self.quantized(qc)) }
                    if k >= 2 { block.covariates.append(Self.quantized(age)) }
                    for j in 0..<f {
                        let y = 2 + u[j] + 0.3 * Double(t) + delta[j] * Double(t) * a + groupNoise[j] + rng.nextNormal() + 0.3 * qc
                        let missing = missingRate > 0 && rng.nextUniform() < missingRate
                        block.values.append(missing ? .nan : Self.quantized(y))
                    }
                }
                try emit(block)
            }
        }
    }

    /// `round(x · 10⁴) / 10⁴`: exactly what parsing its 4-decimal text gives.
    public static func quantized(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

    /// The whole table in memory.
    public func simulate() throws -> CellTable {
        var table = CellTable(layout: layout)
        try generate { table.append($0) }
        return table
    }
}
