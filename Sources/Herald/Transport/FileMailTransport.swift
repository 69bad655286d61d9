import Foundation

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
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw HeraldError(.software, "cannot create the mail folder \(directory): \(error.localizedDescription)")
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
            try Data(message.bytes).write(to: temporary)
            _ = try? FileManager.default.removeItem(at: final)
            try FileManager.default.moveItem(at: temporary, to: final)
            lastFailureWasFatal = false
            return .accepted(code: 250, enhancedStatus: nil, reply: "written to \(final.lastPathComponent)")
        } catch {
            lastFailureWasFatal = true
            return .notDelivered(reason: "cannot write \(final.path): \(error.localizedDescription)")
        }
    }
}
