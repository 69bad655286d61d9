import Foundation
import Rendering
import Store

/// `herald templates check`: every problem of the templates folder before anything is sent. Rendering's lint
/// finds what any Mustache catalog can get wrong (syntax, unclosed sections, missing partials, unescaped HTML,
/// unknown variables, `template.yaml`); the rules here are the product's, checked on each template rendered
/// for stand-in people in every shape Herald sends:
/// - commercial mail (product-news, promotion) shows the one-click unsubscribe link and the postal address in
///   both the text and the HTML part, and a promotion says it is an advertisement (CAN-SPAM);
/// - a policy-change notice links to the preferences in both parts and carries nothing promotional.
public struct TemplateCheck: Sendable {
    let directory: String
    let data: MessageData

    public init(directory: String, sender: HeraldConfiguration.Sender, links: SignedLinks, policyURL: String, attributeNames: [String] = []) {
        self.directory = directory
        self.data = MessageData(sender: sender, links: links, policyURL: policyURL, attributeNames: attributeNames)
    }

    /// Words that make a message promotional; a legal notice must not carry them.
    static let promotionalWords = ["sale", "discount", "offer", "offers", "coupon", "deal", "deals", "promo", "promotion", "buy",
                                   "shop now", "order now", "% off", "free shipping", "limited time", "special price"]
    /// What a policy notice may not look up: it is not about anyone's products.
    static let productValues = ["products", "product_list", "has_products"]

    /// Every problem, sorted by file and line; empty when all is well.
    public func problems(now: Date = Date()) -> [TemplateError] {
        let kinds = CampaignKind.allCases.map(\.rawValue)
        var problems = TemplateCatalog.lint(directory: directory, kinds: kinds) { kind in
            CampaignKind(rawValue: kind).map { samples(of: $0, now: now) } ?? []
        }
        // The product's rules need a catalog that loads; until then the problems above are the ones to fix.
        guard problems.isEmpty, let catalog = try? TemplateCatalog(directory: directory, kinds: kinds) else { return problems }
        for name in catalog.templateNames {
            guard let template = catalog.template(named: name), let kind = CampaignKind(rawValue: template.kind) else { continue }
            problems += rules(for: name, kind: kind, in: catalog, now: now)
        }
        return problems.sorted { ($0.file, $0.line ?? 0, $0.problem) < ($1.file, $1.line ?? 0, $1.problem) }
    }

    /// The data of a message of `kind` in every shape Herald sends it: with and without a name, with no product,
    /// one or several, and for a policy notice a material change that adds a purpose and one that does not.
    func samples(of kind: CampaignKind, now: Date) -> [[String: Any]] {
        inputs(of: kind, template: "", now: now).map { input in
            data.context(input, personal: data.personalValues(input, unsubscribeURL: data.unsubscribeURL(input, now: now), now: now))
        }
    }

    func inputs(of kind: CampaignKind, template: String, now: Date) -> [MessageComposer.Input] {
        let policies: [PolicyVersion?] = kind == .policyChange ? Self.samplePolicies(now: now) : [nil]
        return MessageComposer.Input.everyShape(kind: kind, template: template, campaignName: "Sample campaign", policies: policies)
    }

    /// A material change that adds a purpose, and a change that is not material.
    static func samplePolicies(now: Date) -> [PolicyVersion] {
        [PolicyVersion(version: "sample-2", summary: "We will also send you news of events and promotions, if you accept.", textHash: "",
                       material: true, effectiveAt: now, publishedAt: now, addsPurpose: .promotions),
         PolicyVersion(version: "sample-1", summary: "We moved our servers to another data centre in the EU.", textHash: "",
                       material: false, effectiveAt: now, publishedAt: now, addsPurpose: nil)]
    }

    private func rules(for name: String, kind: CampaignKind, in catalog: TemplateCatalog, now: Date) -> [TemplateError] {
        let folder = catalog.directory + "/" + name
        var problems: Set<TemplateError> = []
        func require(_ needle: String, in rendered: RenderedMessage, _ what: String) {
            if !rendered.text.contains(needle) {
                problems.insert(TemplateError(file: folder + "/text.mustache", problem: what + " in the text part"))
            }
            if !rendered.html.contains(HTMLEscaping.escape(needle)) {
                problems.insert(TemplateError(file: folder + "/html.mustache", problem: what + " in the HTML part"))
            }
        }
        for input in inputs(of: kind, template: name, now: now) {
            let values = data.context(input, personal: data.personalValues(input, unsubscribeURL: data.unsubscribeURL(input, now: now), now: now))
            let rendered: RenderedMessage
            do { rendered = try catalog.render(name, context: values) } catch {
                problems.insert(error)
                continue
            }
            switch kind {
            case .productNews, .promotion:
                if let link = data.unsubscribeURL(input, now: now) {
                    require(link, in: rendered, "commercial mail must show the one-click unsubscribe link ({{unsubscribe_url}})")
                }
                require(data.sender.postalAddress, in: rendered, "commercial mail must show the postal address ({{sender.postal_address}})")
                if kind == .promotion {
                    for (part, body) in [("text", rendered.text), ("html", rendered.html)] where body.range(of: "advertisement", options: .caseInsensitive) == nil {
                        problems.insert(TemplateError(file: folder + "/\(part).mustache",
                                                      problem: "a promotion must say it is an advertisement (CAN-SPAM), in the \(part == "html" ? "HTML" : "text") part"))
                    }
                }
            case .policyChange:
                require(data.links.preferencesURL(recipientID: 0, now: now), in: rendered, "a policy-change notice must link to the preferences ({{preferences_url}})")
                for (part, body) in [("subject", rendered.subject), ("text", rendered.text), ("html", rendered.html)] {
                    if let word = Self.promotionalWord(in: body) {
                        let file = folder + "/\(part).mustache"
                        problems.insert(TemplateError(file: file, line: Self.line(of: word, inFile: file),
                                                      problem: "a policy-change notice must carry no promotional content ('\(word)')"))
                    }
                }
            case .confirmation:
                break
            }
        }
        if kind == .policyChange {
            for use in catalog.lookups(of: name) where Self.productValues.contains(String(use.path.split(separator: ".").first ?? "")) {
                problems.insert(TemplateError(file: use.file, line: use.line,
                                              problem: "a policy-change notice is about the policy, not anyone's products (it uses {{\(use.path)}})"))
            }
        }
        return Array(problems)
    }

    /// The first promotional word or phrase, as a whole word, ignoring case.
    static func promotionalWord(in text: String) -> String? {
        let lowered = text.lowercased()
        for word in promotionalWords {
            var searchRange = lowered.startIndex..<lowered.endIndex
            while let found = lowered.range(of: word, range: searchRange) {
                let before = found.lowerBound == lowered.startIndex ? nil : lowered[lowered.index(before: found.lowerBound)]
                let after = found.upperBound == lowered.endIndex ? nil : lowered[found.upperBound]
                if !(before?.isLetter ?? false), !(after?.isLetter ?? false) { return word }
                searchRange = found.upperBound..<lowered.endIndex
            }
        }
        return nil
    }

    private static func line(of word: String, inFile file: String) -> Int? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where promotionalWord(in: String(line)) == word {
            return index + 1
        }
        return nil
    }
}

extension HeraldApp {
    /// `herald templates check`.
    public var templateCheck: TemplateCheck {
        TemplateCheck(directory: configuration.templates, sender: configuration.sender,
                      links: SignedLinks(tokens: tokens, publicURL: configuration.publicURL), policyURL: configuration.policy.url,
                      attributeNames: configuration.attributes)
    }
}
