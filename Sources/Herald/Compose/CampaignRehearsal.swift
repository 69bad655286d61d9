import Foundation
import Store

extension MessageComposer {
    /// Composes one message of every shape a campaign can send, for stand-in people, and keeps none of them: a
    /// template error stops the whole campaign before its first message, instead of failing recipients one by
    /// one. Strict rendering makes a variable the template uses and the data lacks such an error.
    public func rehearse(_ campaign: Campaign, policy: PolicyVersion?, now: Date) throws(HeraldError) {
        if campaign.kind == .policyChange, policy == nil {
            throw HeraldError(.dataError, "a policy-change notice needs a published policy version; publish one with herald policy publish")
        }
        for var input in Input.everyShape(kind: campaign.kind, template: campaign.template, campaignName: campaign.name, policies: [policy]) {
            input.words = campaign.words
            // Rendering only: a template error is what is looked for, and signing six messages inside the
            // transaction that starts a campaign would hold up the one-click commits.
            _ = try render(input, now: now)
        }
    }
}

extension MessageComposer.Input {
    /// A stand-in person's message in each shape Herald sends: with and without a name (or a first name alone),
    /// with no product, one or several, for each of `policies` (a policy notice's version, or nil for other mail).
    /// Their personal fields are empty, as a person's may be.
    static func everyShape(kind: CampaignKind, template: String, campaignName: String, policies: [PolicyVersion?]) -> [Self] {
        var inputs: [Self] = []
        for policy in policies {
            for name in [nil, "Ada Lovelace"] as [String?] {
                for products in [[], ["volca"], ["minilogue", "volca", "kronos"]] as [[String]] {
                    inputs.append(Self(kind: kind, template: template, campaignName: campaignName, recipientID: 0, email: "sample@example.com",
                                       name: name, products: products, confirmPurposes: kind == .confirmation ? [.productNews] : [],
                                       policy: policy))
                }
            }
            // Given a first name on its own, and no full name.
            inputs.append(Self(kind: kind, template: template, campaignName: campaignName, recipientID: 0, email: "sample@example.com",
                               name: nil, products: ["volca"], confirmPurposes: kind == .confirmation ? [.productNews] : [], policy: policy,
                               firstName: "Ada"))
        }
        return inputs
    }
}
