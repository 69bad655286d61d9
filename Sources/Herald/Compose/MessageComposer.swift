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
        /// A policy-change notice's version.
        public var policy: PolicyVersion?
        /// The campaign's own words, set in the template (its frame); nil: the template's own.
        public var words: CampaignWords?
        /// A first name given on its own (else it comes from `name`).
        public var firstName: String?
        /// The person's fields (`recipients.attributes`); a declared field they lack is empty.
        public var attributes: [String: String] = [:]
        /// The campaign being sent, named in its unsubscribe links (nil for previews and renderings).
        public var campaignID: Int64?
        /// The outbox job being sent, named by the signed return path when `bounce.domain` is set.
        public var jobID: Int64?

        public init(kind: CampaignKind, template: String, campaignName: String, recipientID: Int64, email: String, name: String?,
                    products: [String], confirmPurposes: [Purpose] = [], policy: PolicyVersion? = nil, words: CampaignWords? = nil,
                    firstName: String? = nil, attributes: [String: String] = [:]) {
            self.kind = kind
            self.template = template
            self.campaignName = campaignName
            self.recipientID = recipientID
            self.email = email
            self.name = name
            self.products = products
            self.confirmPurposes = confirmPurposes
            self.policy = policy
            self.words = words
            self.firstName = firstName
            self.attributes = attributes
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
    /// What templates can use, built for each message.
    let data: MessageData
    let signer: DKIMSigner?
    let identifiers: Identifiers
    /// `bounce.*`: each job's message gets the envelope sender `b-TOKEN@domain`.
    let returnPath: HeraldConfiguration.Bounce?

    var sender: HeraldConfiguration.Sender { data.sender }

    public init(catalog: TemplateCatalog, sender: HeraldConfiguration.Sender, publicURL: String, tokens: TokenAuthority,
                signer: DKIMSigner? = nil, identifiers: Identifiers = .unique, policyURL: String? = nil, attributeNames: [String] = [],
                returnPath: HeraldConfiguration.Bounce? = nil) {
        self.catalog = catalog
        self.returnPath = returnPath
        self.data = MessageData(sender: sender, links: SignedLinks(tokens: tokens, publicURL: publicURL),
                                policyURL: policyURL ?? publicURL + "/policy", attributeNames: attributeNames)
        self.signer = signer
        self.identifiers = identifiers
    }

    /// The subject and the two bodies, before they become a MIME message.
    public func render(_ input: Input, now: Date) throws(HeraldError) -> RenderedMessage {
        let unsubscribe = data.unsubscribeURL(input, now: now)
        let personal = data.personalValues(input, unsubscribeURL: unsubscribe, now: now)
        do {
            return try framedCatalog(input).render(input.template, personal: personal, shape: data.shape(input, unsubscribeURL: unsubscribe)) { [data] values in
                data.context(input, personal: values)
            }
        } catch {
            throw HeraldError(.dataError, error.description)
        }
    }

    /// The catalog that renders `input`: the templates as they are, or with the campaign's words set in its
    /// template (made once per words, see `TemplateCatalog.framing`).
    func framedCatalog(_ input: Input) throws(TemplateError) -> TemplateCatalog {
        guard let words = input.words else { return catalog }
        return try catalog.framing(words.messageWords, in: input.template)
    }

    public func compose(_ input: Input, now: Date) throws(HeraldError) -> Composed {
        try compose(input, rendered: try render(input, now: now), now: now)
    }

    /// Where a bounce goes: the signed return path of this message's job (so the bounce names the message without
    /// anything quoted in it being trusted), or `sender.from`.
    func envelopeSender(_ input: Input, now: Date) -> String {
        guard let returnPath, let job = input.jobID else { return sender.from.address.normalized }
        return ReturnPathToken(kind: .bounce, id: job, issuedAt: now).localPart(keys: returnPath.keys) + "@" + returnPath.domain
    }

    /// Gmail's feedback loop reports complaint rates per value of each field (`campaign:kind:sender`, the last
    /// field the sender that stays the same across campaigns): which campaign, which kind of mail, whose. It names
    /// no person.
    static func feedbackID(campaign: Int64, kind: CampaignKind, senderDomain: String) -> String {
        "\(campaign):\(kind.rawValue):\(senderDomain)"
    }

    /// The message of parts already rendered for `input` (`render`'s), for a caller that shows them too.
    public func compose(_ input: Input, rendered: RenderedMessage, now: Date) throws(HeraldError) -> Composed {
        let recipient: EmailAddress
        do { recipient = try EmailAddress(parsing: input.email) } catch {
            throw HeraldError(.dataError, "stored address of recipient \(input.recipientID) is invalid: \(error.reason)")
        }
        let unsubscribe = data.unsubscribeURL(input, now: now)
        let messageID = identifiers.messageID(sender.from.address.domain)
        let draft = MessageDraft(
            from: sender.from, to: Mailbox(displayName: input.name, address: recipient), replyTo: sender.replyTo,
            subject: rendered.subject, textBody: rendered.text, htmlBody: rendered.html, date: now,
            messageID: messageID, listID: sender.listID, listUnsubscribeURL: unsubscribe,
            feedbackID: input.campaignID.map { Self.feedbackID(campaign: $0, kind: input.kind, senderDomain: sender.from.address.domain) })
        var bytes = draft.mimeBytes(boundary: identifiers.boundary())
        if let signer {
            // Last, over the bytes exactly as they will be sent.
            do { bytes = try signer.sign(bytes, at: now) } catch { throw HeraldError(.software, error.reason) }
        }
        return Composed(envelopeFrom: envelopeSender(input, now: now), envelopeTo: recipient.normalized,
                        messageID: messageID, bytes: bytes)
    }
}

extension CampaignWords {
    /// The words as the template catalog takes them.
    var messageWords: MessageWords {
        MessageWords(subject: subject, preheader: preheader, body: body, format: format == .html ? .html : .markdown)
    }
}
