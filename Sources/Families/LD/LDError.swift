/// Errors of the LD family: invalid options (a usage error) or unusable input.
public enum LDError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidOption(let m): m
        case .invalidInput(let m): m
        }
    }
}
