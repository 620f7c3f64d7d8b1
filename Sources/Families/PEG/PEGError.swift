/// Why a PEG or signal analysis cannot start: a bad request (exit 64) or unusable input data
/// (exit 65). Statistical non-results (a constant perturbation column, a null with zero spread)
/// are not errors; they are reported as non-finite values in the output.
public enum PEGError: Error, CustomStringConvertible, Equatable {
    /// An option value out of range or a conflicting combination, named as the command line
    /// spells it.
    case invalidOption(String)
    /// The data cannot be analysed: a malformed record, nothing left after a filter step, an
    /// LD matrix that is not positive definite. The message names the file, line or record.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidOption(let m), .invalidInput(let m): m
        }
    }
}
