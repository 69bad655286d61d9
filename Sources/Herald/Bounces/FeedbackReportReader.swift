/// Reads an ARF report (RFC 5965): its `message/feedback-report` part and the header of the message reported.
enum FeedbackReportReader {
    static func read(_ part: ReceivedMessage, original: ReceivedMessage?) -> FeedbackReport {
        guard case .bytes(let bytes) = part.body else {
            return FeedbackReport(feedbackType: "other", originalRcptTo: [])
        }
        // One block by the RFC; read them all as one, since a stray blank line must not lose the fields after it.
        let fields = ReceivedHeaders(ReportFields.blocks(bytes).flatMap(\.fields))
        return FeedbackReport(
            feedbackType: ReportFields.keyword(fields.first("Feedback-Type")) ?? "other",
            userAgent: fields.first("User-Agent"),
            originalMailFrom: ReportFields.address(fields.first("Original-Mail-From")),
            originalRcptTo: fields.all("Original-Rcpt-To").compactMap(ReportFields.address),
            arrivalDate: fields.first("Arrival-Date") ?? fields.first("Received-Date"),
            reportingMTA: ReportFields.typedText(fields.first("Reporting-MTA")),
            sourceIP: fields.first("Source-IP"),
            originalHeaders: original?.headers)
    }
}
