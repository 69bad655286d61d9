import Foundation
import COpenSSL

/// Everything one outgoing message says, before it becomes bytes.
public struct MessageDraft: Sendable {
    public var from: Mailbox
    public var to: Mailbox
    public var replyTo: Mailbox?
    public var subject: String
    public var textBody: String
    public var htmlBody: String
    public var date: Date
    /// Without angle brackets: `id@domain`.
    public var messageID: String
    public var listID: ListID?
    /// The one-click URL (RFC 8058). When set, both List-Unsubscribe and List-Unsubscribe-Post are written.
    public var listUnsubscribeURL: String?
    public var feedbackID: String?

    public init(
        from: Mailbox, to: Mailbox, replyTo: Mailbox? = nil, subject: String,
        textBody: String, htmlBody: String, date: Date = Date(),
        messageID: String = MessageDraft.newMessageID(domain: "localhost"),
        listID: ListID? = nil, listUnsubscribeURL: String? = nil, feedbackID: String? = nil
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.date = date
        self.messageID = messageID
        self.listID = listID
        self.listUnsubscribeURL = listUnsubscribeURL
        self.feedbackID = feedbackID
    }

    /// A globally unique id: 128 random bits at the sender's domain.
    public static func newMessageID(domain: String) -> String {
        // OpenSSL's DRBG: the standard generator makes a system call per 8 bytes, and this is once per message.
        var bits: (UInt64, UInt64) = (0, 0)
        let filled = withUnsafeMutableBytes(of: &bits) { herald_random_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count) }
        if filled != 1 {
            var generator = SystemRandomNumberGenerator()
            bits = (generator.next(), generator.next())
        }
        return String(bits.0, radix: 36) + "." + String(bits.1, radix: 36) + "@" + domain
    }

    /// The header fields in the order they are written.
    public var headerFields: [HeaderField] {
        var fields = [
            HeaderField("From", from.headerValue),
            HeaderField("To", to.headerValue),
        ]
        if let replyTo { fields.append(HeaderField("Reply-To", replyTo.headerValue)) }
        fields.append(HeaderField("Subject", HeaderText.unstructured(subject)))
        fields.append(HeaderField("Date", MessageDate.format(date)))
        fields.append(HeaderField("Message-ID", "<" + HeaderText.sanitized(messageID).filter { $0 != " " } + ">"))
        fields.append(HeaderField("MIME-Version", "1.0"))
        if let listID { fields.append(HeaderField("List-Id", listID.fieldValue)) }
        if let url = listUnsubscribeURL {
            fields.append(HeaderField("List-Unsubscribe", "<" + Self.urlHeaderText(url) + ">"))
            fields.append(HeaderField("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        }
        if let feedbackID { fields.append(HeaderField("Feedback-ID", HeaderText.sanitized(feedbackID))) }
        return fields
    }

    /// A URL inside angle brackets may hold no white space, controls or brackets.
    private static func urlHeaderText(_ url: String) -> String {
        func allowed(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">") }
        if url.utf8.allSatisfy(allowed) { return url }
        return String(decoding: url.utf8.filter(allowed), as: UTF8.self)
    }
}
