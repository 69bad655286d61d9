import Foundation
import Mail
import Rendering
import Store

extension HeraldApp {
    /// `herald render`: the exact message a campaign with this template would send this person now,
    /// signed when DKIM is configured. Nothing is recorded and nothing is sent.
    public func preview(template name: String, email: String) throws(HeraldError) -> [UInt8] {
        let catalog = try catalog()
        guard let template = catalog.template(named: name) else {
            let known = catalog.templateNames.joined(separator: ", ")
            throw HeraldError(.dataError, "no template named '\(name)'; templates are \(known)")
        }
        guard let kind = CampaignKind(rawValue: template.kind) else {
            throw HeraldError(.configuration, "template '\(name)' has unknown kind '\(template.kind)'")
        }
        let recipient = try consent.existingRecipient(email)
        let products = try storage { () throws(StorageError) in try store.products(ofRecipient: recipient.id!) }
        let announced = kind == .policyChange ? try policy.current() ?? TemplateCheck.samplePolicies(now: clock())[0] : nil
        let input = MessageComposer.Input(kind: kind, template: name, campaignName: "preview", recipientID: recipient.id!,
                                          email: recipient.email, name: recipient.name, products: products, policy: announced)
        return try composer(catalog: catalog).compose(input, now: clock()).bytes
    }

    /// `herald templates preview`: the subject and both bodies of one message, for a registered person (`email`)
    /// or, without one, for the stand-in person (`SampleRecipient.standIn`). A policy notice announces the newest
    /// published version (or a stand-in material change before any is published). Nothing is recorded or sent.
    public func previewParts(template name: String, email: String?) throws(HeraldError) -> RenderedMessage {
        var (catalog, input) = try sampleInput(template: name, sample: .standIn, address: SampleRecipient.standInAddress)
        if let email {
            let recipient = try consent.existingRecipient(email)
            input.recipientID = recipient.id!
            input.email = recipient.email
            input.name = recipient.name
            input.products = try storage { () throws(StorageError) in try store.products(ofRecipient: recipient.id!) }
        }
        return try composer(catalog: catalog).render(input, now: clock())
    }

    /// The console's preview: the message a person of `sample`'s shape would get, as sent (headers and both
    /// bodies of the very bytes that would go out, signed when DKIM is configured). Nothing is recorded or sent.
    public func previewMessage(template name: String, sample: SampleRecipient, words: CampaignWords? = nil,
                               campaignName: String = "Preview") throws(HeraldError) -> PreviewedMessage {
        var (catalog, input) = try sampleInput(template: name, sample: sample, address: SampleRecipient.standInAddress)
        input.words = words
        input.campaignName = campaignName
        let composer = composer(catalog: catalog)
        let now = clock()
        let rendered = try composer.render(input, now: now)
        let composed = try composer.compose(input, rendered: rendered, now: now)
        return PreviewedMessage(rendered: rendered, headers: PreviewedMessage.headers(of: composed.bytes))
    }

    /// The console's test send: the same message, its subject marked `[TEST]`, to `address` (the staff member's
    /// own, or one of `console.test_recipients`), through the configured transport. Nothing about a person is read
    /// or recorded; the verdict is the transport's.
    public func testSend(template name: String, sample: SampleRecipient, to address: String, words: CampaignWords? = nil,
                         campaignName: String = "Preview") throws(HeraldError) -> DeliveryVerdict {
        var (catalog, input) = try sampleInput(template: name, sample: sample, address: address)
        input.words = words
        input.campaignName = campaignName
        let composer = composer(catalog: catalog)
        let now = clock()
        var rendered = try composer.render(input, now: now)
        rendered.subject = Self.testMark + rendered.subject
        let composed = try composer.compose(input, rendered: rendered, now: now)
        return try transport().makeSender().send(composed, job: 0, campaign: 0)
    }

    /// What a test send's subject starts with, so that nobody takes it for the campaign itself.
    public static let testMark = "[TEST] "

    private func sampleInput(template name: String, sample: SampleRecipient,
                             address: String) throws(HeraldError) -> (TemplateCatalog, MessageComposer.Input) {
        let catalog = try catalog()
        guard let template = catalog.template(named: name) else {
            throw HeraldError(.dataError, "no template named '\(name)'; templates are \(catalog.templateNames.joined(separator: ", "))")
        }
        guard let kind = CampaignKind(rawValue: template.kind) else {
            throw HeraldError(.configuration, "template '\(name)' has unknown kind '\(template.kind)'")
        }
        var announced: PolicyVersion?
        if kind == .policyChange {
            announced = try policy.current() ?? TemplateCheck.samplePolicies(now: clock())[0]
        }
        // Recipient 0 is nobody: the sample's signed links lead to no one's consent.
        let input = MessageComposer.Input(kind: kind, template: name, campaignName: "Preview", recipientID: 0, email: address,
                                          name: sample.name, products: sample.products,
                                          confirmPurposes: kind == .confirmation ? [.productNews] : [], policy: announced,
                                          attributes: SampleRecipient.attributes(configuration.attributes))
        return (catalog, input)
    }

    /// `herald unsubscribe-url`: the person's signed one-click URL for one purpose.
    public func unsubscribeURL(email: String, purpose: Purpose) throws(HeraldError) -> String {
        let recipient = try consent.existingRecipient(email)
        return SignedLinks(tokens: tokens, publicURL: configuration.publicURL).unsubscribeURL(recipientID: recipient.id!, purpose: purpose, now: clock())
    }
}
