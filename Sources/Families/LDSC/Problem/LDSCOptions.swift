/// How the jackknife blocks are laid over the M regression SNPs (spec §4.4).
public enum BlockDefinition: String, Sendable, CaseIterable, Codable {
    /// gsMap 1.73: every SNP used, boundaries ⌊b·M/B⌋ for b = 0…B.
    case floor
    /// gsMap@memmap / gsMap3D: the last M mod B SNPs are dropped (weights included), equal blocks.
    case truncate
}

/// Whether the spatial column of the design is multiplied by N_j/N̄ like the baseline columns
/// (spec §4.2): PyPI gsMap 1.73.8 does, ≤ 1.73.7 and gsMap3D do not. With constant N the two agree.
public enum SpatialScaling: String, Sendable, CaseIterable, Codable {
    case nScaled = "n-scaled"
    case unscaled
}

/// The analysis settings of one LDSC run (everything but the data).
public struct LDSCOptions: Sendable, Equatable {
    /// Jackknife blocks B (`--n-blocks`, gsMap default 200).
    public var blockCount = 200
    public var blockDefinition = BlockDefinition.floor
    public var spatialScaling = SpatialScaling.nScaled
    /// Spots to analyse, half-open and 0-based over the GSS spot order; nil = all.
    public var spotRange: Range<Int>?
    public var pipeline = PipelineSettings()

    public init() {}

    public func validate(spotCount: Int) throws {
        guard blockCount >= 2 else { throw LDSCError.invalidOption("--n-blocks must be at least 2 (a jackknife needs two blocks), got \(blockCount)") }
        if let r = spotRange {
            guard r.lowerBound >= 0, r.lowerBound < r.upperBound else {
                throw LDSCError.invalidOption("--spot-range \(r.lowerBound):\(r.upperBound) is empty or negative: need 0 <= START < END")
            }
            guard r.upperBound <= spotCount else {
                throw LDSCError.invalidOption("--spot-range \(r.lowerBound):\(r.upperBound) lies outside the data: the GSS has \(spotCount) spots (valid ranges are within 0:\(spotCount), half-open, 0-based)")
            }
        }
        try pipeline.validate()
    }

    /// Parses `START:END` (half-open, 0-based). Nothing is rewritten: `1:10` means spots 1…9.
    public static func parseSpotRange(_ text: String) throws -> Range<Int> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else {
            throw LDSCError.invalidOption("--spot-range must be START:END with integers (half-open, 0-based), got '\(text)'")
        }
        guard a >= 0, a < b else { throw LDSCError.invalidOption("--spot-range \(text) is empty or negative: need 0 <= START < END") }
        return a..<b
    }
}
