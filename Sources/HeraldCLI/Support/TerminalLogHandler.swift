import Foundation
import Logging
import Synchronization

/// swift-log's lines as the command line prints everything else: `herald: LEVEL: message key=value…` on
/// standard error, after clearing a progress line. What Herald logs never holds an address, a token or a
/// secret; this handler adds nothing of its own but the level.
struct TerminalLogHandler: LogHandler {
    /// `log.level` (or `HERALD_LOG_LEVEL`), set once the configuration is read; loggers are made after that.
    static let threshold = Mutex<Logger.Level>(.notice)

    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        logLevel = Self.threshold.withLock { $0 }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        Terminal.endProgress()
        FileHandle.standardError.write(Data("herald: \(event.level): \(event.message)\(fields)\n".utf8))
    }
}
