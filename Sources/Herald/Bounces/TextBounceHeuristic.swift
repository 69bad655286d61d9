/// Recognises a non-standard bounce: a plain-text note from Exim, qmail, old Exchange, Yahoo and the like, with no
/// machine-readable report. It needs two signs: one from the envelope or header (a mailer-daemon sender, a null
/// return path, `X-Failed-Recipients`, a bounce subject) and one more (a bounce subject, or a bounce phrase in the text). What it finds is
/// a guess, so it is at most *soft*: Herald never suppresses an address on a guess.
enum TextBounceHeuristic {
    /// Only the start of the text is read: the note comes before the returned message.
    static let maximumTextLength = 65_536

    static let daemonLocalParts: Set<String> = ["mailer-daemon", "mailerdaemon", "mailer_daemon", "postmaster", "mail-daemon", "mdaemon"]
    static let daemonNames = ["mail delivery system", "mail delivery subsystem", "mail administrator", "mail delivery service"]

    /// Lowercased, in subjects.
    static let subjectMarks = [
        "undeliverable", "undelivered mail", "undeliverable mail", "delivery failed", "delivery failure", "failure notice",
        "returned mail", "delivery status notification (failure)", "mail delivery failed", "delivery has failed",
        "could not be delivered", "nondeliverable", "non-deliverable", "mail system error", "delivery notification: delivery has failed",
        "unzustellbar", "nicht zustellbar", "non remis", "non distribuable", "no se puede entregar", "non recapitabile",
        "onbestelbaar",
    ]

    /// Lowercased, in the text.
    static let bodyMarks = [
        "could not be delivered", "couldn't be delivered", "delivery has failed", "delivery to the following recipient",
        "permanent error", "failed permanently", "undeliverable", "user unknown", "unknown user", "no such user",
        "mailbox unavailable", "mailbox not found", "does not exist", "address rejected", "recipient address rejected",
        "returning message to sender", "sorry, i wasn't able to deliver", "i'm afraid i wasn't able to deliver",
        "i'm sorry to have to inform you", "message was not delivered", "delivery to the following recipients failed",
        "the following addresses had permanent fatal errors", "unable to deliver", "mailbox is full", "quota exceeded",
    ]

    struct Finding {
        /// The line that names the failure: an SMTP reply, or the phrase's line.
        var diagnostic: String?
        var status: String?
        /// The first address in the diagnostic line or just above it.
        var recipient: String?
        /// A `Return-Path:` line of the message copied below the note (qmail and Exim copy it as text).
        var quotedReturnPath: String?
    }

    static func examine(_ message: ReceivedMessage) -> Finding? {
        let headers = message.headers
        let subject = (headers.text("Subject") ?? "").lowercased()
        let subjectSays = subjectMarks.contains(where: subject.contains)
        guard subjectSays || fromMailSystem(headers) else { return nil }
        let text = firstText(of: message)
        let lowered = text.lowercased()
        guard subjectSays || bodyMarks.contains(where: lowered.contains) else { return nil }
        var found = finding(in: text)
        // Exim and Gmail name the failed address in a header of their own: better than a guess from the text.
        if let failed = headers.first("X-Failed-Recipients")?.split(separator: ",").first?.trimmingWhitespace(), !failed.isEmpty {
            found.recipient = failed
        }
        return found
    }

    private static func fromMailSystem(_ headers: ReceivedHeaders) -> Bool {
        if headers.first("X-Failed-Recipients") != nil { return true }
        if let returnPath = headers.first("Return-Path"), returnPath.filter({ !$0.isWhitespace }) == "<>" { return true }
        let from = (headers.text("From") ?? "").lowercased()
        if daemonNames.contains(where: from.contains) { return true }
        return daemonLocalParts.contains { from.contains($0 + "@") }
    }

    /// The first `text/*` leaf that is not an attachment (the body of a message that is not MIME at all is one),
    /// else a multipart that could not be split (no boundary): its raw lines are still the note.
    private static func firstText(of message: ReceivedMessage) -> String {
        let leaves = message.entities.filter { if case .bytes = $0.body { true } else { false } }
        let leaf = leaves.first { entity in
            entity.contentType.mediaType.hasPrefix("text/")
                && !(entity.headers.first("Content-Disposition")?.lowercased().hasPrefix("attachment") ?? false)
        } ?? leaves.first { $0.contentType.isMultipart }
        return String((leaf?.text ?? "").prefix(maximumTextLength))
    }

    /// The first line with an SMTP reply code (`550 …`, `554-…`) or an enhanced status; else the first line with
    /// a bounce phrase.
    private static func finding(in text: String) -> Finding {
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }
        var chosen: Int?
        for (index, line) in lines.enumerated() where ReportFields.enhancedStatus(in: line) != nil || holdsReplyCode(line) {
            chosen = index
            break
        }
        if chosen == nil {
            chosen = lines.firstIndex { line in bodyMarks.contains(where: line.lowercased().contains) }
        }
        let quotedReturnPath = lines.first { $0.lowercased().hasPrefix("return-path:") }
        guard let chosen else { return Finding(quotedReturnPath: quotedReturnPath) }
        let diagnostic = String(lines[chosen].prefix(BounceClassifier.maximumDiagnosticLength))
        let nearby = lines[max(0, chosen - 3)...chosen].reversed()
        return Finding(diagnostic: diagnostic, status: ReportFields.enhancedStatus(in: diagnostic),
                       recipient: nearby.lazy.compactMap(firstAddress).first, quotedReturnPath: quotedReturnPath)
    }

    /// A word `550`, `550-…` or `554:` (Yahoo) among a line's first few, also after a prefix like `host x said: `.
    private static func holdsReplyCode(_ line: String) -> Bool {
        let words = line.split(separator: " ").prefix(8)
        return words.contains { word in
            let code = word.prefix(4)
            return code.count >= 3 && ["4", "5"].contains(code.first!) && code.prefix(3).allSatisfy(\.isNumber)
                && (code.count == 3 || code.last == "-" || code.last == ":")
        }
    }

    /// The first `local@domain` in `line`, brackets and quotes removed.
    private static func firstAddress(_ line: String) -> String? {
        let words = line.split(whereSeparator: { " \t<>()[]\"',;".contains($0) })
        guard let word = words.first(where: { $0.contains("@") && !$0.hasPrefix("@") && !$0.hasSuffix("@") && $0.contains(".") }) else { return nil }
        let address = word.hasSuffix(":") || word.hasSuffix(".") ? word.dropLast() : word
        return String(address)
    }
}
