/// Why a REML analysis cannot start: a bad option or an unusable design. Numerical outcomes of
/// a fit (non-convergence, boundary estimates) are not errors; they are reported in the fit's status.
public enum REMLError: Error, CustomStringConvertible, Equatable {
    /// An option value out of range, named as the command line spells it.
    case invalidOption(String)
    /// The data cannot be analysed (collinear covariates, p >= n, constant phenotype, no valid SNP).
    case unusableDesign(String)
    /// A linear-algebra failure where the method has no fallback (H not positive definite at the start).
    case numerical(String)

    public var description: String {
        switch self {
        case .invalidOption(let m), .unusableDesign(let m), .numerical(let m): m
        }
    }
}
