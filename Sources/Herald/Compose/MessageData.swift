import Foundation
import Rendering
import Store

/// What a template can use for one message: the recipient's strings (each link signed for them), the
/// campaign, the sender, and for a policy notice its version. Built as plain dictionaries, lists, strings and
/// booleans; the recipient's own strings come only from `personalValues`, so that the catalog can render with
/// stand-ins for them (`TemplateCatalog.render(_:personal:shape:context:)`).
public struct MessageData: Sendable {
    let sender: HeraldConfiguration.Sender
    let links: SignedLinks
    let policyURL: String
    /// `recipients.attributes`: every message has each of them (empty when the person has none).
    let attributeNames: [String]

    init(sender: HeraldConfiguration.Sender, links: SignedLinks, policyURL: String, attributeNames: [String] = []) {
        self.sender = sender
        self.links = links
        self.policyURL = policyURL
        self.attributeNames = attributeNames
    }

    func unsubscribeURL(_ input: MessageComposer.Input, now: Date) -> String? {
        input.kind.purpose.map { links.unsubscribeURL(recipientID: input.recipientID, purpose: $0, campaign: input.campaignID, now: now) }
    }

    /// `3 January 2027`, in UTC: the same date for every recipient, whatever the machine's zone.
    public static func longDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(parts.day!) \(months[parts.month! - 1]) \(parts.year!)"
    }

    /// A policy version as templates and pages show it: the notice's `policy.*` values (its URL aside).
    public static func values(of policy: PolicyVersion) -> [String: Any] {
        ["version": policy.version, "summary": policy.summary, "summary_paragraphs": paragraphs(policy.summary),
         "effective_date": longDate(policy.effectiveAt), "material": policy.material,
         "adds_purpose": policy.addsPurpose?.phrase ?? "", "has_added_purpose": policy.addsPurpose != nil]
    }

    /// A text's paragraphs (split at blank lines), each with its line breaks made spaces, for HTML.
    public static func paragraphs(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { $0.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") }
            .filter { !$0.isEmpty }
    }

    /// `a`, `a and b`, `a, b and c`.
    static func humanList(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// The strings that differ from one recipient to the next, in the order `context` reads them: the fixed
    /// eight, then each declared personal field, then the products.
    func personalValues(_ input: MessageComposer.Input, unsubscribeURL: String?, now: Date) -> [String] {
        let firstName = PersonName.firstName(given: input.firstName, fullName: input.name)
        let confirm = input.kind == .confirmation ? links.confirmURL(requestID: ConfirmationJobID.requestID(outboxRecipientID: input.recipientID) ?? 0,
                                                                            purposes: input.confirmPurposes, now: now) : ""
        let choice = input.policy.map { $0.material ? links.policyChoiceURL(recipientID: input.recipientID, version: $0.version, now: now) : "" } ?? ""
        return [input.name ?? "", firstName ?? "", input.email, Self.humanList(input.products),
                links.preferencesURL(recipientID: input.recipientID, now: now), unsubscribeURL ?? "", confirm, choice]
            + attributeNames.map { $0 == PersonName.firstNameField ? firstName ?? "" : input.attributes[$0] ?? "" } + input.products
    }

    static let fixedPersonalValues = 8

    /// Everything else the context depends on: recipients with the same shape share one rendering plan.
    func shape(_ input: MessageComposer.Input, unsubscribeURL: String?) -> String {
        [input.kind.rawValue, input.campaignName, String(hasName(input)), String(unsubscribeURL != nil),
         String(input.products.count), input.confirmPurposes.map(\.rawValue).joined(separator: ","),
         input.policy?.version ?? "", String(input.words != nil)].joined(separator: "\u{0}")
    }

    /// Whether the message can greet the person by name.
    func hasName(_ input: MessageComposer.Input) -> Bool {
        input.name != nil || input.firstName != nil
    }

    /// What templates can use. Every value is a plain string, list or boolean. The recipient's own strings come
    /// only from `personal` (see `personalValues`), so that the catalog can render with stand-ins for them.
    func context(_ input: MessageComposer.Input, personal: [String]) -> [String: Any] {
        let fieldsEnd = Self.fixedPersonalValues + attributeNames.count
        var attributes: [String: Any] = [:]
        for (index, name) in attributeNames.enumerated() { attributes[name] = personal[Self.fixedPersonalValues + index] }
        var context: [String: Any] = [
            "recipient": ["name": personal[0], "first_name": personal[1], "email": personal[2], "has_name": hasName(input)],
            // What a campaign's words use most, without the `recipient.` in front.
            "name": personal[0], "first_name": personal[1], "email": personal[2],
            "attributes": attributes,
            "products": Array(personal[fieldsEnd...]),
            "has_products": !input.products.isEmpty,
            "product_list": personal[3],
            "campaign": ["name": input.campaignName, "kind": input.kind.rawValue, "has_words": input.words != nil],
            "sender": ["name": sender.from.displayName ?? sender.from.address.domain,
                       "email": sender.from.address.normalized, "postal_address": sender.postalAddress],
            "preferences_url": personal[4],
            "can_unsubscribe": input.kind.purpose != nil,
            "unsubscribe_url": personal[5],
            "confirm_url": personal[6],
            "confirm_purposes": Self.humanList(input.confirmPurposes.map(\.phrase)),
            "choice_url": personal[7],
        ]
        if let policy = input.policy {
            context["policy"] = Self.values(of: policy).merging(["url": policyURL]) { $1 }
        }
        context["reason"] = switch input.kind {
        case .productNews: "You receive this because you asked for news about the products you registered."
        case .promotion: "You receive this because you agreed to hear about our events and promotions."
        case .policyChange: "You receive this notice because we store information about you; it is not marketing."
        case .confirmation: "You receive this because someone registered this address with us. If it was not you, ignore it: nothing is kept after 7 days."
        }
        return context
    }
}
