import ArgumentParser
import Herald

/// The contract's exit codes (sysexits.h) for each kind of failure: the command line's own mapping.
extension HeraldError.Kind {
    var exitCode: ExitCode {
        switch self {
        case .usage: ExitCode(64)          // EX_USAGE
        case .dataError, .notFound, .conflict, .underMinimumAge: ExitCode(65)  // EX_DATAERR
        case .unavailable: ExitCode(69)    // EX_UNAVAILABLE
        case .software: ExitCode(70)       // EX_SOFTWARE
        case .configuration: ExitCode(78)  // EX_CONFIG
        }
    }
}
