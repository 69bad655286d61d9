import Foundation
import Mail
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
        let input = MessageComposer.Input(kind: kind, template: name, campaignName: "preview", recipientID: recipient.id!,
                                          email: recipient.email, name: recipient.name, products: products)
        return try composer(catalog: catalog).compose(input, now: clock()).bytes
    }

    /// `herald unsubscribe-url`: the person's signed one-click URL for one purpose.
    public func unsubscribeURL(email: String, purpose: Purpose) throws(HeraldError) -> String {
        let recipient = try consent.existingRecipient(email)
        return SignedLinks(tokens: tokens, publicURL: configuration.publicURL).unsubscribeURL(recipientID: recipient.id!, purpose: purpose, now: clock())
    }
}
