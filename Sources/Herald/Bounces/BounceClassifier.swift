/// Classifies a mail received at Herald's bounce mailbox: a delivery status notification, a spam complaint, a
/// non-standard bounce, an automatic reply or a mailto unsubscribe. Pure: no I/O, no store, no clock.
///
/// A mailto address is asked about first, then reports (a DSN is `Auto-Submitted` too), then a responder's own
/// marks, then the bounce heuristic, and last `Auto-Submitted` (which bounces carry as well).
/// The return-path token is looked for, in order, in the envelope recipient the caller knows, the mail's own
/// `Delivered-To`, `X-Original-To`, `Envelope-To`, `To` and `Cc`; then a DSN's `Original-Envelope-Id` (and
/// Postfix's `X-Postfix-Sender`) or an ARF report's `Original-Mail-From`; then the `Return-Path` of the returned
/// message. A token proves nothing until verified.
public struct BounceClassifier: Sendable {
    public static let maximumDiagnosticLength = 1_000

    static let deliveryStatusTypes: Set<String> = ["message/delivery-status", "message/global-delivery-status"]
    /// Where a mailbox records whom a mail was for: Postfix and Dovecot write `Delivered-To` and `X-Original-To`,
    /// Exim `Envelope-to`; the header `To` and `Cc` last, as a sender wrote them.
    static let recipientHeaders = ["Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc"]

    private let tokens: ReturnPathTokens

    /// `bounceDomain`: the domain of Herald's `b-` and `u-` addresses (`bounce.domain`).
    public init(bounceDomain: String) {
        tokens = ReturnPathTokens(domain: bounceDomain)
    }

    public func classify(_ raw: [UInt8], envelopeRecipient: String?) -> BounceClassification {
        classify(ReceivedMessage(parsing: raw), envelopeRecipient: envelopeRecipient)
    }

    public func classify(_ message: ReceivedMessage, envelopeRecipient: String?) -> BounceClassification {
        let recipients = [envelopeRecipient].compactMap { $0 } + Self.recipientHeaders.flatMap { message.headers.all($0) }
        if let token = recipients.lazy.compactMap({ self.tokens.token(.unsubscribe, in: $0) }).first {
            return BounceClassification(class: .mailtoUnsubscribe, evidence: .recipientAddress, token: token)
        }
        let addressedToken = recipients.lazy.compactMap { self.tokens.token(.bounce, in: $0) }.first
        let entities = message.entities
        let returned = entities.lazy.compactMap(\.enclosedMessage).first

        if let part = entities.first(where: { Self.deliveryStatusTypes.contains($0.contentType.mediaType) }),
           let result = deliveryStatus(part, token: addressedToken, returned: returned) {
            return result
        }
        if let part = entities.first(where: { $0.contentType.mediaType == "message/feedback-report" }) {
            let report = FeedbackReportReader.read(part, original: returned)
            var result = BounceClassification(class: report.feedbackType == "abuse" ? .complaint : .feedback, evidence: .feedbackReport)
            result.token = addressedToken ?? tokens.token(.bounce, in: report.originalMailFrom) ?? returnPathToken(returned)
            result.feedback = report
            return result
        }
        if AutoReplyDetector.hasResponderMarks(message.headers) {
            return BounceClassification(class: .autoReply, evidence: .autoReplyMarks, token: addressedToken)
        }
        if let finding = TextBounceHeuristic.examine(message) {
            var result = BounceClassification(class: .soft, evidence: .textHeuristic)
            result.token = addressedToken ?? returnPathToken(returned) ?? tokens.token(.bounce, in: finding.quotedReturnPath)
            result.recipients = [RecipientStatus(finalRecipient: finding.recipient, action: "failed", status: finding.status,
                                                 diagnosticCode: finding.diagnostic, class: .soft)]
            result.diagnostic = finding.diagnostic
            return result
        }
        let kind: BounceClassification.Class = AutoReplyDetector.isAutoSubmitted(message.headers) ? .autoReply : .unmatched
        var result = BounceClassification(class: kind, evidence: kind == .autoReply ? .autoReplyMarks : .nothing)
        result.token = addressedToken
        return result
    }

    /// A DSN's class is its most serious group's: hard, then soft, then delayed; a report of deliveries alone is
    /// ignored. A report without any group says nothing, and the heuristics get their turn.
    private func deliveryStatus(_ part: ReceivedMessage, token: String?, returned: ReceivedMessage?) -> BounceClassification? {
        let (report, recipients) = DeliveryStatusReader.read(part)
        guard !recipients.isEmpty else { return nil }
        let kind = [BounceClassification.Class.hard, .soft, .delayed].first { kind in recipients.contains { $0.class == kind } } ?? .ignored
        var result = BounceClassification(class: kind, evidence: .deliveryStatus)
        result.token = token ?? tokens.token(.bounce, in: report.originalEnvelopeID.map(Self.xtextDecoded), acceptingBare: true)
            ?? tokens.token(.bounce, in: report.envelopeSender) ?? returnPathToken(returned)
        result.recipients = recipients
        result.report = report
        let telling = recipients.first { $0.class == kind }
        result.diagnostic = telling?.diagnosticCode ?? telling?.status
        return result
    }

    /// The token in the envelope sender of the message a report returns: its `Return-Path`, or the
    /// `X-Envelope-From` some servers write instead.
    private func returnPathToken(_ returned: ReceivedMessage?) -> String? {
        guard let headers = returned?.headers else { return nil }
        return (headers.all("Return-Path") + headers.all("X-Envelope-From")).lazy.compactMap { self.tokens.token(.bounce, in: $0) }.first
    }

    /// `ENVID` is xtext (RFC 3461, 4): `+XX` is the byte XX.
    static func xtextDecoded(_ text: String) -> String {
        guard text.contains("+") else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x2B, index + 2 < bytes.count, let high = ASCII.hexValue(bytes[index + 1]), let low = ASCII.hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
