import ArgumentParser
import Foundation
import GenoBenchCore
import GenoBenchData
import GenoBenchDiD
import GenoBenchHarness
import GenoBenchLD
import GenoBenchLDSC
import GenoBenchPEG
import GenoBenchREML
import GenoBenchReports
import GenoBenchStore

/// Maps errors to messages and exit codes in one place (argument-parser style): invalid
/// requests exit 64 (usage), bad input data 65, store or output failures 74,
/// a run stopped at `--timeout` 75 (EX_TEMPFAIL), anything else 1.
enum Failure {
    static func exit(_ error: Error) -> ExitCode {
        let code: Int32
        switch error {
        case is ParameterError, is RegistryError, is SuiteError, is ReportError, is InvocationLookupError, is ShardError, is SlurmError: code = 64
        case let e as LDError:
            if case .invalidOption = e { code = 64 } else { code = 65 }
        case let e as REMLError:
            if case .invalidOption = e { code = 64 } else { code = 65 }
        case let e as DiDError:
            if case .invalidOption = e { code = 64 } else { code = 65 }
        case let e as LDSCError:
            if case .invalidOption = e { code = 64 } else { code = 65 }
        case let e as PipelineError: return exit(e.underlying)
        case let e as PEGError:
            if case .invalidOption = e { code = 64 } else { code = 65 }
        case is DataError, is MergeError: code = 65
        case is StoreError: code = 74
        case is RunCancelled: code = 75
        default: code = 1
        }
        FileHandle.standardError.write(Data("genobench: error: \(error)\n".utf8))
        return ExitCode(code)
    }

    /// Runs `body`, turning any error into a message and an exit code.
    static func guarded(_ body: () throws -> Void) throws {
        do { try body() } catch let e as ExitCode { throw e } catch let e as ValidationError { throw e } catch {
            throw exit(error)
        }
    }
}

func note(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
