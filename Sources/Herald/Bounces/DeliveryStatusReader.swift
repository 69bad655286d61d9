/// Reads a `message/delivery-status` (RFC 3464) or `message/global-delivery-status` (RFC 6533) part into its
/// per-message fields and its per-recipient groups, each with its class.
enum DeliveryStatusReader {
    static func read(_ part: ReceivedMessage) -> (DeliveryReport, [RecipientStatus]) {
        guard case .bytes(let bytes) = part.body else { return (DeliveryReport(isGlobal: false), []) }
        var report = DeliveryReport(isGlobal: part.contentType.mediaType == "message/global-delivery-status")
        var recipients: [RecipientStatus] = []
        for block in ReportFields.blocks(bytes) {
            // The per-message block comes first; a block is a recipient's when it says something about one. Some
            // MTAs write no blank line between the two: such a merged block fills both.
            if report.reportingMTA == nil { report.reportingMTA = ReportFields.typedText(block.first("Reporting-MTA")) }
            if report.originalEnvelopeID == nil { report.originalEnvelopeID = block.first("Original-Envelope-Id") }
            if report.arrivalDate == nil { report.arrivalDate = block.first("Arrival-Date") }
            if report.envelopeSender == nil { report.envelopeSender = ReportFields.address(block.first("X-Postfix-Sender")) }
            guard ["Final-Recipient", "Original-Recipient", "Action", "Status"].contains(where: { block.first($0) != nil }) else { continue }
            recipients.append(recipient(block))
        }
        return (report, recipients)
    }

    static func recipient(_ block: ReceivedHeaders) -> RecipientStatus {
        let action = ReportFields.keyword(block.first("Action"))
        let status = ReportFields.enhancedStatus(in: block.first("Status"))
        let diagnostic = ReportFields.typedText(block.first("Diagnostic-Code"))
        return RecipientStatus(
            finalRecipient: ReportFields.address(block.first("Final-Recipient")),
            originalRecipient: ReportFields.address(block.first("Original-Recipient")),
            action: action, status: status, diagnosticCode: diagnostic,
            remoteMTA: ReportFields.typedText(block.first("Remote-MTA")),
            class: classify(action: action, status: status))
    }

    /// `failed` with 5.x.x is hard; `failed` with anything else (4.x.x, none) is soft; `delayed` is delayed;
    /// `delivered`, `relayed` and `expanded` change nothing. A group without a known action has no verdict to
    /// trust, so it is soft at most, never hard.
    static func classify(action: String?, status: String?) -> BounceClassification.Class {
        let statusClass = status?.first
        switch action {
        case "failed": return statusClass == "5" ? .hard : .soft
        case "delayed": return .delayed
        case "delivered", "relayed", "expanded": return .ignored
        default: return statusClass == "4" || statusClass == "5" ? .soft : .ignored
        }
    }
}
