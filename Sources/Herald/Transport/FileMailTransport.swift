import Foundation
import Store

/// Writes each message as `c<campaign>-j<job>.eml` in a folder instead of sending it: the demo's transport,
/// and a way to look at exactly what would be sent. A file appears whole (written, then renamed) or not at all.
public struct FileMailTransport: MailTransport {
    public let directory: String
    public var parallelism: Int { 1 }

    public init(directory: String) {
        self.directory = directory
    }

    public var destination: String { directory }

    public func makeSender() throws(HeraldError) -> any MessageSender {
        // The messages carry their recipients' addresses and live unsubscribe tokens: the folder is 0700 and
        // each file 0600, whatever the umask.
        do { try PrivateFiles.createDirectory(directory) } catch {
            throw HeraldError(.software, "cannot create the mail folder \(error)")
        }
        return FileMessageSender(directory: URL(fileURLWithPath: directory, isDirectory: true))
    }
}

final class FileMessageSender: MessageSender {
    let directory: URL
    private(set) var lastFailureWasFatal = false

    init(directory: URL) {
        self.directory = directory
    }

    func send(_ message: MessageComposer.Composed, job: Int64, campaign: Int64) -> DeliveryVerdict {
        let final = directory.appendingPathComponent("c\(campaign)-j\(job).eml")
        let temporary = directory.appendingPathComponent(".c\(campaign)-j\(job).eml.tmp")
        do {
            try PrivateFiles.save(message.bytes, to: temporary.path)
            _ = try? FileManager.default.removeItem(at: final)
            try FileManager.default.moveItem(at: temporary, to: final)
            lastFailureWasFatal = false
            return .accepted(code: 250, enhancedStatus: nil, reply: "written to \(final.lastPathComponent)")
        } catch {
            lastFailureWasFatal = true
            let reason = (error as? PrivateFiles.Failure)?.message ?? error.localizedDescription
            return .notDelivered(reason: "cannot write \(final.path): \(reason)")
        }
    }
}
