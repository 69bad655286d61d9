import ArgumentParser
import Foundation
import Herald

/// Where the command line meets the user: one-line errors with the contract's exit codes, JSON for
/// scripts, and a progress line only when standard error is a terminal.
enum Terminal {
    static var isInteractive: Bool { isatty(STDERR_FILENO) == 1 }

    /// Runs a command body; a HeraldError becomes `herald: error: …` on standard error, and its exit code is
    /// thrown for ArgumentParser to exit with.
    @discardableResult
    static func run<T>(_ body: () throws(HeraldError) -> T) throws(ExitCode) -> T {
        do {
            return try body()
        } catch {
            throw failure(error)
        }
    }

    /// Says what went wrong in one line, and gives the exit code that goes with it.
    static func failure(_ error: HeraldError) -> ExitCode {
        endProgress()
        let oneLine = error.message.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("herald: error: \(oneLine)\n".utf8))
        return error.kind.exitCode
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Something worth knowing that is not a warning, on standard error so that standard output stays the result.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data("herald: \(line)\n".utf8))
    }

    static func warn(_ line: String) {
        FileHandle.standardError.write(Data("herald: warning: \(line)\n".utf8))
    }

    static func json<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? HeraldJSON.encoder(pretty: true).encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// Rewrites one status line in place on a terminal; says nothing otherwise.
    static func progress(_ line: String) {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    static func endProgress() {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func progressLine(_ progress: WorkerProgress) -> String {
        "sent \(progress.sent) · deferred \(progress.deferred) · bounced \(progress.bounced) · skipped \(progress.skipped)"
            + " · failed \(progress.failed) · \(String(format: "%.0f", progress.messagesPerSecond)) msg/s"
    }
}
