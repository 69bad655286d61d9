import Foundation
import Herald
import Store

/// The campaign workspace's fields, as typed (or as a stored campaign holds them, to edit it): name, kind,
/// template, the words (subject, preheader, body and its format), the audience (a saved segment, or products and
/// purposes), the send time in a time zone, and where a test goes. Shared by the new and the edit forms and by
/// the live preview, so that what is previewed is what would be saved.
struct CampaignFormInput {
    var name = ""
    /// The kind as posted, refused in `validate` unless the console offers it.
    var rawKind = CampaignKind.productNews.rawValue
    var kind = CampaignKind.productNews
    var template = "product-news"
    var products: Set<String> = []
    var purposes: Set<Purpose> = []
    /// A saved segment's name (or, on the edit form, the campaign's own expression, kept as it is).
    var savedSegment = ""
    var subject = ""
    var preheader = ""
    var body = ""
    var rawFormat = BodyFormat.markdown.rawValue
    var sendAt = ""
    var timeZone = "UTC"
    /// The address a test goes to, as posted (checked against the allowed ones before anything is sent).
    var testTo = ""

    init() {}

    /// As posted, or as the live audience count's query carries them.
    init(_ form: FormBody) {
        name = form.first("name") ?? ""
        rawKind = form.first("kind") ?? ""
        kind = CampaignKind(rawValue: rawKind) ?? .productNews
        template = form.first("template") ?? ""
        products = Set(form.all("product"))
        purposes = Set(form.all("purpose").compactMap(Purpose.init(rawValue:)))
        savedSegment = form.first("segment") ?? ""
        // Browsers send a textarea's line breaks as CR LF; the words are kept with LF.
        subject = form.first("subject") ?? ""
        preheader = form.first("preheader") ?? ""
        body = (form.first("body") ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        rawFormat = form.first("format") ?? BodyFormat.markdown.rawValue
        sendAt = form.first("send_at") ?? ""
        timeZone = form.first("time_zone") ?? "UTC"
        testTo = form.first("test_to") ?? ""
    }

    /// A stored campaign as the edit form shows it: its due time in `zone` (when it is still ahead).
    init(_ report: CampaignReport, saved: [SavedSegment], zone: String, now: Date) {
        name = report.name
        rawKind = report.kind.rawValue
        kind = report.kind
        template = report.template
        if let words = report.words {
            subject = words.subject
            preheader = words.preheader
            body = words.body
            rawFormat = words.format.rawValue
        }
        if let expression = report.segment {
            if let named = saved.first(where: { $0.expression == expression }) {
                savedSegment = named.name
            } else if let parsed = try? Segment.parse(expression), parsed.attributes.isEmpty {
                products = Set(parsed.products)
                purposes = Set(parsed.purposes)
            } else {
                savedSegment = expression
            }
        }
        timeZone = TimeZone(identifier: zone) == nil ? "UTC" : zone
        if report.dueAt > now { sendAt = Self.local(report.dueAt, in: timeZone) }
    }

    var format: BodyFormat { BodyFormat(rawValue: rawFormat) ?? .markdown }

    /// A kind the console does not offer (a policy notice, a confirmation) is refused, not taken for another;
    /// so is a format Herald does not know.
    func validate() throws(HeraldError) {
        guard let posted = CampaignKind(rawValue: rawKind), ConsoleCampaignRoutes.kinds.contains(posted) else {
            throw HeraldError(.usage, "the console makes product-news and promotion campaigns, not '\(rawKind)'")
        }
        guard BodyFormat(rawValue: rawFormat) != nil else { throw HeraldError(.usage, "the format is Markdown or HTML, not '\(rawFormat)'") }
    }

    /// The template must be one of the chosen kind (the form's script offers only those; without it this says so).
    func checkTemplate(_ catalog: [(name: String, kind: String)]) throws(HeraldError) {
        guard let found = catalog.first(where: { $0.name == template }) else {
            throw HeraldError(.usage, "there is no template named '\(template)'")
        }
        guard found.kind == kind.rawValue else {
            let fitting = catalog.filter { $0.kind == kind.rawValue }.map(\.name).joined(separator: ", ")
            throw HeraldError(.usage, "the template \(template) is for \(Pages.sentence(found.kind).lowercased()) campaigns, not \(kind.rawValue); "
                              + "choose one of \(fitting.isEmpty ? "none" : fitting)")
        }
    }

    /// The campaign's own words; nil when neither a subject nor a body was written (the template's own words).
    /// Over its limits it is refused here, before anything renders it.
    func words() throws(HeraldError) -> CampaignWords? {
        let subject = self.subject.trimmingCharacters(in: .whitespaces)
        let body = self.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "" : self.body
        guard !subject.isEmpty || !body.isEmpty || !preheader.isEmpty else { return nil }
        guard !subject.isEmpty else { throw HeraldError(.usage, "subject: write a subject for the body") }
        guard !body.isEmpty else { throw HeraldError(.usage, "body: write a body for the subject") }
        for (field, text, limit) in [("subject", subject, CampaignWords.maxSubjectBytes), ("preheader", preheader, CampaignWords.maxPreheaderBytes),
                                     ("body", body, CampaignWords.maxBodyBytes)] where text.utf8.count > limit {
            throw HeraldError(.dataError, "\(field): \(text.utf8.count) bytes, more than the \(limit) a campaign's \(field) may have")
        }
        return CampaignWords(subject: subject, preheader: preheader.trimmingCharacters(in: .whitespaces), body: body, format: format)
    }

    /// The audience: a saved segment (by name, or the edit form's kept expression), or the products and purposes
    /// ticked, each product checked as a registration checks it so that what is counted is what the start queues.
    func segment(_ app: HeraldApp, kept: String? = nil) throws(HeraldError) -> Segment? {
        if !savedSegment.isEmpty {
            guard products.isEmpty && purposes.isEmpty else {
                throw HeraldError(.usage, "choose a saved segment or products and purposes, not both")
            }
            let saved = try app.campaigns.savedSegments().map(\.segment.name)
            guard saved.contains(savedSegment) || savedSegment == kept else {
                throw HeraldError(.usage, "there is no saved segment named '\(savedSegment)'")
            }
            return try app.campaigns.segment(savedSegment)
        }
        guard !products.isEmpty || !purposes.isEmpty else { return nil }
        var names: [String] = []
        for product in products.sorted() { names.append(try RegistrationRules.product(product)) }
        return Segment(products: Array(Set(names)).sorted(), purposes: purposes.sorted { $0.rawValue < $1.rawValue })
    }

    static let maxSampleProducts = 20

    /// The person a preview or a test is made for: the stand-in, owning the products ticked (or the stand-in's).
    var sample: SampleRecipient {
        // At most 20 products, each a product name: a posted list is the form's, not the store's, and a body that
        // loops over them would repeat itself once for each.
        let named = products.sorted().filter { (try? RegistrationRules.product($0)) != nil }.prefix(Self.maxSampleProducts)
        return named.isEmpty ? .standIn : SampleRecipient(name: SampleRecipient.standIn.name, products: Array(named))
    }

    /// `yyyy-MM-ddTHH:mm[:ss]` (as a browser's date-and-time control sends it) in the chosen zone; nil (now) when empty.
    func dueAt() throws(HeraldError) -> Date? {
        guard !sendAt.isEmpty else { return nil }
        guard let zone = TimeZone(identifier: timeZone) else { throw HeraldError(.usage, "unknown time zone '\(timeZone)'") }
        let parser = Self.formatter(zone)
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm"] {
            parser.dateFormat = format
            if let date = parser.date(from: sendAt) { return date }
        }
        throw HeraldError(.usage, "the send time '\(sendAt)' is not a date and time")
    }

    /// `date` as a date-and-time control holds it, in `zone`.
    static func local(_ date: Date, in zone: String) -> String {
        let formatter = formatter(TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: date)
    }

    private static func formatter(_ zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        return formatter
    }

    /// The zones offered: UTC first (Foundation's list lacks it), then every known one.
    static let zones: [String] = ["UTC"] + TimeZone.knownTimeZoneIdentifiers.filter { $0 != "UTC" }.sorted()
}
