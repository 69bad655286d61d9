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
    /// or, without one, for a stand-in person with a name and two products. A policy notice announces the newest
    /// published version (or a stand-in material change before any is published). Nothing is recorded or sent.
    public func previewParts(template name: String, email: String?) throws(HeraldError) -> RenderedMessage {
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
        var input = MessageComposer.Input(kind: kind, template: name, campaignName: "Preview", recipientID: 0, email: "ada@example.com",
                                          name: "Ada Lovelace", products: ["minilogue", "volca"],
                                          confirmPurposes: kind == .confirmation ? [.productNews] : [], policy: announced)
        if let email {
            let recipient = try consent.existingRecipient(email)
            input.recipientID = recipient.id!
            input.email = recipient.email
            input.name = recipient.name
            input.products = try storage { () throws(StorageError) in try store.products(ofRecipient: recipient.id!) }
        }
        return try composer(catalog: catalog).render(input, now: clock())
    }

    /// `herald unsubscribe-url`: the person's signed one-click URL for one purpose.
    public func unsubscribeURL(email: String, purpose: Purpose) throws(HeraldError) -> String {
        let recipient = try consent.existingRecipient(email)
        return SignedLinks(tokens: tokens, publicURL: configuration.publicURL).unsubscribeURL(recipientID: recipient.id!, purpose: purpose, now: clock())
    }
}
