/// The pseudobulk regression input: one row per group of a paired participant, with the
/// group's per-feature value (mean or % positive of the non-missing cells) and weight (the
/// number of non-missing cells), and its covariate means (spec did.md §3).
public struct PseudobulkTable: Sendable {
    /// Participant index (into the layout) of each compact unit 0..<G.
    public var unitParticipant: [Int]
    /// arm_bin per unit.
    public var treated: [Bool]
    /// Per row: compact unit, visit.
    public var unit: [Int32]
    public var visit: [UInt8]
    /// `value[f][row]`, NaN when the group has no non-missing cell of feature f.
    public var value: [[Double]]
    /// `weight[f][row]`: non-missing cells of feature f in the group.
    public var weight: [[Double]]
    /// `covariate[j][row]`: mean of the group's non-missing covariate values (NaN if none).
    public var covariate: [[Double]]
    /// Participants dropped for lacking a visit (spec §11: reported as n_dropped_unpaired).
    public var unpairedParticipants: Int
    /// Cells of the kept groups (missing values included).
    public var cells: Int

    public var rowCount: Int { unit.count }

    /// Builds the rows from streamed sums: groups of participants seen at both visits, in
    /// first-seen group order; participants are numbered in first-seen order.
    public init(_ sums: GroupSums, layout: TrialLayout, function: AggregateFunction) {
        var seen = [UInt8](repeating: 0, count: layout.participants.count)
        for g in 0..<sums.groupCount { seen[Int(sums.groupParticipant[g])] |= sums.groupVisit[g] == 0 ? 1 : 2 }
        var compact = [Int32](repeating: -1, count: seen.count)
        unitParticipant = []
        for (i, s) in seen.enumerated() where s == 3 {
            compact[i] = Int32(unitParticipant.count)
            unitParticipant.append(i)
        }
        unpairedParticipants = seen.filter { $0 != 0 && $0 != 3 }.count
        treated = unitParticipant.map { layout.treated[$0] }
        let f = sums.featureCount, k = sums.covariateCount
        let groups = (0..<sums.groupCount).filter { compact[Int(sums.groupParticipant[$0])] >= 0 }
        unit = groups.map { compact[Int(sums.groupParticipant[$0])] }
        visit = groups.map { sums.groupVisit[$0] }
        cells = groups.reduce(0) { $0 + sums.groupCells[$1] }
        value = (0..<f).map { j in
            groups.map { g in
                let c = sums.count[g * f + j]
                guard c > 0 else { return .nan }
                switch function {
                case .mean: return sums.sum[g * f + j] / Double(c)
                case .pctPos: return 100 * Double(sums.positive[g * f + j]) / Double(c)
                }
            }
        }
        weight = (0..<f).map { j in groups.map { Double(sums.count[$0 * f + j]) } }
        covariate = (0..<k).map { j in
            groups.map { g in
                let c = sums.covariateValues[g * k + j]
                return c > 0 ? sums.covariateSum[g * k + j] / Double(c) : .nan
            }
        }
    }
}
