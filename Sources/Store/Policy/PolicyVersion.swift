import Foundation

/// One published version of the privacy policy. Versions are never edited or removed: the ledger names them.
public struct PolicyVersion: Sendable, Equatable, Codable {
    /// Publication order (nil until stored): a later version has a larger number.
    public var seq: Int64?
    /// The operator's name for it (`2026-12`, `v3`…), unique.
    public var version: String
    /// What changed, as people are told: the notice's and `/policy`'s text.
    public var summary: String
    /// SHA-256 (hex) of the summary as published, so a later claim about what was shown can be checked.
    public var textHash: String
    /// A material change: the data is to be used in a way that differs from what people agreed to, so they
    /// are notified and choose.
    public var material: Bool
    public var effectiveAt: Date
    public var publishedAt: Date
    /// A purpose this version introduces: granted to nobody until each person accepts the version.
    public var addsPurpose: Purpose?

    public init(seq: Int64? = nil, version: String, summary: String, textHash: String, material: Bool, effectiveAt: Date,
                publishedAt: Date, addsPurpose: Purpose?) {
        self.seq = seq
        self.version = version
        self.summary = summary
        self.textHash = textHash
        self.material = material
        self.effectiveAt = effectiveAt
        self.publishedAt = publishedAt
        self.addsPurpose = addsPurpose
    }

    /// The same version, published again: the same text, materiality, effective day and purpose.
    public func isSamePublication(as other: PolicyVersion) -> Bool {
        version == other.version && textHash == other.textHash && material == other.material
            && Int(effectiveAt.timeIntervalSince1970 / 86_400) == Int(other.effectiveAt.timeIntervalSince1970 / 86_400)
            && addsPurpose == other.addsPurpose
    }
}

/// What publishing did: whether the version is new, the notice campaign (new or the one already there), and
/// how many grants of the purpose it adds were withdrawn (consents given under earlier versions do not cover it).
public struct PolicyPublication: Sendable, Equatable {
    public var version: PolicyVersion
    public var versionCreated: Bool
    public var notice: Campaign?
    public var noticeCreated: Bool
    public var withdrawnGrants: Int

    public init(version: PolicyVersion, versionCreated: Bool, notice: Campaign?, noticeCreated: Bool, withdrawnGrants: Int) {
        self.version = version
        self.versionCreated = versionCreated
        self.notice = notice
        self.noticeCreated = noticeCreated
        self.withdrawnGrants = withdrawnGrants
    }
}
