/// Recognises automatic replies (out of office, vacation): by RFC 3834's `Auto-Submitted`, by the headers
/// common responders add, and by the subjects they write in several languages. Asked only after a mail was found
/// to be no report: DSNs are `auto-replied` too.
enum AutoReplyDetector {
    /// Lowercased fragments of auto-reply subjects: English, German, French, Spanish, Italian, Dutch, Portuguese.
    static let subjectMarks = [
        "out of office", "out of the office", "automatic reply", "auto reply", "auto-reply", "autoreply", "auto response",
        "autoresponse", "auto-response", "away from the office", "on vacation", "vacation reply",
        "abwesenheitsnotiz", "abwesenheit", "automatische antwort", "außer haus", "nicht im büro",
        "réponse automatique", "reponse automatique", "absence du bureau", "message d'absence",
        "respuesta automática", "respuesta automatica", "fuera de la oficina",
        "risposta automatica", "fuori ufficio", "fuori sede",
        "automatisch antwoord", "afwezigheid", "niet aanwezig",
        "resposta automática", "ausente do escritório",
    ]

    /// Headers whose presence alone says a responder wrote the mail.
    static let responderHeaders = ["X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autoresponse", "X-Vacation"]

    /// Marks only a responder leaves: its own headers, or an auto-reply subject. Strong enough to be asked before
    /// the bounce heuristic, so a vacation note that says "not delivered" stays an auto-reply.
    static func hasResponderMarks(_ headers: ReceivedHeaders) -> Bool {
        if responderHeaders.contains(where: { headers.first($0) != nil }) { return true }
        let subject = (headers.text("Subject") ?? "").lowercased()
        return subjectMarks.contains(where: subject.contains)
    }

    /// RFC 3834's `Auto-Submitted` (anything but `no`) or a `Precedence` that marks a reply as automatic. Weaker:
    /// bounces carry `Auto-Submitted: auto-replied` too, so this is asked after the bounce heuristic.
    static func isAutoSubmitted(_ headers: ReceivedHeaders) -> Bool {
        if let submitted = ReportFields.keyword(headers.first("Auto-Submitted")), submitted != "no" { return true }
        // `bulk` and `junk` are also what lists send; only on a reply do they mark a responder.
        switch ReportFields.keyword(headers.first("Precedence")) {
        case "auto_reply": return true
        case "bulk", "junk": return isReply(headers)
        default: return false
        }
    }

    private static func isReply(_ headers: ReceivedHeaders) -> Bool {
        let subject = (headers.text("Subject") ?? "").lowercased()
        return headers.first("In-Reply-To") != nil || ["re:", "aw:", "sv:", "antw:", "réf:"].contains(where: subject.hasPrefix)
    }
}
