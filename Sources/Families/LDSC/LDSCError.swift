/// Why an LDSC analysis cannot start: an invalid request (exit 64) or unusable input data
/// (exit 65). File-level problems with a line number are `DataError`s. A spot whose regression
/// is singular is not an error: it is a result with status `singular`.
public enum LDSCError: Error, CustomStringConvertible, Equatable {
    /// An option value out of range or a conflicting combination, named as the command line spells it.
    case invalidOption(String)
    /// The inputs cannot be analysed together (no SNP in common, fewer SNPs than blocks).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidOption(let m), .invalidInput(let m): m
        }
    }
}
