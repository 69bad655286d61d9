import Foundation
import SMTP

/// Sends through libcurl to `smtp.url`, one reused connection per sender.
public struct SMTPMailTransport: MailTransport {
    public let settings: SMTPSettings
    public let parallelism: Int

    public init(settings: SMTPSettings, connections: Int) {
        self.settings = settings
        self.parallelism = connections
    }

    /// The server as messages and logs name it: a user name or password written into `smtp.url` is left out.
    public var destination: String {
        guard var parts = URLComponents(string: settings.url), parts.user != nil || parts.password != nil else { return settings.url }
        parts.user = nil
        parts.password = nil
        return parts.string ?? "the SMTP server"
    }

    public func makeSender() throws(HeraldError) -> any MessageSender {
        do { return SMTPMessageSender(connection: try SMTPConnection(settings: settings)) } catch {
            throw HeraldError(.software, error.message)
        }
    }
}

final class SMTPMessageSender: MessageSender {
    let connection: SMTPConnection
    private(set) var lastFailureWasFatal = false

    init(connection: SMTPConnection) {
        self.connection = connection
    }

    func send(_ message: MessageComposer.Composed, job: Int64, campaign: Int64) -> DeliveryVerdict {
        lastFailureWasFatal = false
        do {
            let reply = try connection.send(from: message.envelopeFrom, to: message.envelopeTo, message: message.bytes)
            if reply.isPositive {
                return .accepted(code: reply.code, enhancedStatus: reply.enhancedStatus, reply: reply.text)
            }
            return .refused(code: reply.code, enhancedStatus: reply.enhancedStatus, reply: reply.text)
        } catch {
            lastFailureWasFatal = error.isDestinationFailure
            return .notDelivered(reason: error.message)
        }
    }
}
