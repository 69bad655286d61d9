import Foundation
import Store
import Mail
import Rendering
import Tokens

/// The message one person gets: rendered from the campaign's template, with their own signed one-click
/// unsubscribe link in the List-Unsubscribe header and in both bodies. Pure: no I/O once built.
public struct MessageComposer: Sendable {
    public struct Input: Sendable {
        public var kind: CampaignKind
        public var template: String
        public var campaignName: String
        public var recipientID: Int64
        public var email: String
        public var name: String?
        public var products: [String]
        /// A confirmation mail's purposes: what its link grants.
        public var confirmPurposes: [Purpose]

        public init(kind: CampaignKind, template: String, campaignName: String, recipientID: Int64, email: String, name: String?,
                    products: [String], confirmPurposes: [Purpose] = []) {
            self.kind = kind
            self.template = template
            self.campaignName = campaignName
            self.recipientID = recipientID
            self.email = email
            self.name = name
            self.products = products
            self.confirmPurposes = confirmPurposes
        }
    }

    public struct Composed: Sendable {
        public var envelopeFrom: String
        public var envelopeTo: String
        public var messageID: String
        public var bytes: [UInt8]
    }

    /// Where a message's unique strings come from: random in production; fixed for golden files, so that the
    /// same input gives the same bytes.
    public struct Identifiers: Sendable {
        /// A Message-ID (without `<>`) at the sender's domain.
        public var messageID: @Sendable (_ domain: String) -> String
        /// A MIME boundary that no body can contain.
        public var boundary: @Sendable () -> String

        public init(messageID: @escaping @Sendable (String) -> String, boundary: @escaping @Sendable () -> String) {
            self.messageID = messageID
            self.boundary = boundary
        }

        public static let unique = Identifiers(messageID: MessageDraft.newMessageID(domain:), boundary: MessageDraft.newBoundary)
    }

    let catalog: TemplateCatalog
    let sender: HeraldConfiguration.Sender
    let links: SignedLinks
    let signer: DKIMSigner?
    let identifiers: Identifiers

    public init(catalog: TemplateCatalog, sender: HeraldConfiguration.Sender, publicURL: String, tokens: TokenAuthority,
                signer: DKIMSigner? = nil, identifiers: Identifiers = .unique) {
        self.catalog = catalog
        self.sender = sender
        self.links = SignedLinks(tokens: tokens, publicURL: publicURL)
        self.signer = signer
        self.identifiers = identifiers
    }

    public func compose(_ input: Input, now: Date) throws(HeraldError) -> Composed {
        let recipient: EmailAddress
        do { recipient = try EmailAddress(parsing: input.email) } catch {
            throw HeraldError(.dataError, "stored address of recipient \(input.recipientID) is invalid: \(error.reason)")
        }
        let unsubscribe = input.kind.purpose.map { links.unsubscribeURL(recipientID: input.recipientID, purpose: $0, now: now) }
        let personal = personalValues(input, unsubscribeURL: unsubscribe, now: now)
        let rendered: RenderedMessage
        do {
            rendered = try catalog.render(input.template, personal: personal, shape: renderingShape(input, unsubscribeURL: unsubscribe)) { values in
                renderingContext(input, personal: values)
            }
        } catch {
            throw HeraldError(.dataError, error.description)
        }
        let messageID = identifiers.messageID(sender.from.address.domain)
        let draft = MessageDraft(
            from: sender.from, to: Mailbox(displayName: input.name, address: recipient), replyTo: sender.replyTo,
            subject: rendered.subject, textBody: rendered.text, htmlBody: rendered.html, date: now,
            messageID: messageID, listID: sender.listID, listUnsubscribeURL: unsubscribe)
        var bytes = draft.mimeBytes(boundary: identifiers.boundary())
        if let signer {
            // Last, over the bytes exactly as they will be sent.
            do { bytes = try signer.sign(bytes, at: now) } catch { throw HeraldError(.software, error.reason) }
        }
        return Composed(envelopeFrom: sender.from.address.normalized, envelopeTo: recipient.normalized,
                        messageID: messageID, bytes: bytes)
    }

    /// `a`, `a and b`, `a, b and c`.
    static func humanList(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// The strings that differ from one recipient to the next, in the order `renderingContext` reads them;
    /// the products follow the fixed seven.
    func personalValues(_ input: Input, unsubscribeURL: String?, now: Date) -> [String] {
        let firstName = input.name?.split(separator: " ").first.map(String.init)
        let confirm = input.kind == .confirmation ? links.confirmURL(recipientID: input.recipientID, purposes: input.confirmPurposes, now: now) : ""
        return [input.name ?? "", firstName ?? "", input.email, Self.humanList(input.products),
                links.preferencesURL(recipientID: input.recipientID, now: now), unsubscribeURL ?? "", confirm] + input.products
    }

    /// Everything else the context depends on: recipients with the same shape share one rendering plan.
    func renderingShape(_ input: Input, unsubscribeURL: String?) -> String {
        [input.kind.rawValue, input.campaignName, String(input.name != nil), String(unsubscribeURL != nil),
         String(input.products.count), input.confirmPurposes.map(\.rawValue).joined(separator: ",")].joined(separator: "\u{0}")
    }

    /// What templates can use. Every value is a plain string, list or boolean. The recipient's own strings come
    /// only from `personal` (see `personalValues`), so that the catalog can render with stand-ins for them.
    func renderingContext(_ input: Input, personal: [String]) -> [String: Any] {
        var context: [String: Any] = [
            "recipient": ["name": personal[0], "first_name": personal[1], "email": personal[2], "has_name": input.name != nil],
            "products": Array(personal[7...]),
            "has_products": !input.products.isEmpty,
            "product_list": personal[3],
            "campaign": ["name": input.campaignName, "kind": input.kind.rawValue],
            "sender": ["name": sender.from.displayName ?? sender.from.address.domain,
                       "email": sender.from.address.normalized, "postal_address": sender.postalAddress],
            "preferences_url": personal[4],
            "can_unsubscribe": input.kind.purpose != nil,
            "unsubscribe_url": personal[5],
            "confirm_url": personal[6],
            "confirm_purposes": Self.humanList(input.confirmPurposes.map(\.phrase)),
        ]
        context["reason"] = switch input.kind {
        case .productNews: "You receive this because you asked for news about the products you registered."
        case .promotion: "You receive this because you agreed to hear about our events and promotions."
        case .policyChange: "You receive this notice because we store information about you; it is not marketing."
        case .confirmation: "You receive this because someone registered this address with us. If it was not you, ignore it: nothing is kept after 7 days."
        }
        return context
    }
}
