/// One template folder: `subject.mustache`, `text.mustache`, `html.mustache` and `template.yaml`.
public struct MessageTemplate: Sendable, Equatable {
    /// The folder name, which is how campaigns refer to it.
    public var name: String
    /// The `kind` from `template.yaml`: `product-news`, `promotion` or `policy-change`.
    public var kind: String
    public var description: String?
    /// What `template.yaml` lists under `variables` (nil: it lists none).
    public var variables: [String]?

    public init(name: String, kind: String, description: String?, variables: [String]? = nil) {
        self.name = name
        self.kind = kind
        self.description = description
        self.variables = variables
    }
}

/// The three parts of a message as rendered for one recipient.
public struct RenderedMessage: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String
}
