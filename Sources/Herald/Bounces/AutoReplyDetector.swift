/// Recognises automatic replies (out of office, vacation): by RFC 3834's `Auto-Submitted`, by the headers
/// common responders add, and by the subjects they write in several languages. Asked only after a mail was found
/// to be no report and no bounce: DSNs and many bounces are `auto-generated` or `auto-replied` too.
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

    static func isAutoReply(_ message: ReceivedMessage) -> Bool {
        let headers = message.headers
        if let submitted = ReportFields.keyword(headers.first("Auto-Submitted")), submitted != "no" { return true }
        if responderHeaders.contains(where: { headers.first($0) != nil }) { return true }
        let subject = (headers.text("Subject") ?? "").lowercased()
        if subjectMarks.contains(where: subject.contains) { return true }
        // `bulk` and `junk` are also what lists send; only on a reply do they mark a responder.
        switch ReportFields.keyword(headers.first("Precedence")) {
        case "auto_reply": return true
        case "bulk", "junk": return isReply(headers, subject: subject)
        default: return false
        }
    }

    private static func isReply(_ headers: ReceivedHeaders, subject: String) -> Bool {
        headers.first("In-Reply-To") != nil || ["re:", "aw:", "sv:", "antw:", "réf:"].contains(where: subject.hasPrefix)
    }
}
