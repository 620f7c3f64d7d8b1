/// Why a DiD analysis cannot start: a bad option or unusable data. Statistical non-results of
/// one feature (too few participants, a constant outcome, no contrast) are not errors; they are
/// the feature's `DiDStatus`.
public enum DiDError: Error, CustomStringConvertible, Equatable {
    /// An option value out of range or a conflicting combination, named as the command line spells it.
    case invalidOption(String)
    /// The data cannot be analysed as asked (a label or column that is not there, a single arm).
    case unusableData(String)

    public var description: String {
        switch self {
        case .invalidOption(let m), .unusableData(let m): m
        }
    }
}
