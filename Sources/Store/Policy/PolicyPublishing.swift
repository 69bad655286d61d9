import Foundation

/// The rules of `PolicyStore.publishPolicy` that do not depend on the backend; each backend supplies its
/// reads and writes, inside its own transaction.
extension PolicyPublication {
    /// The ledger's source for what a policy version itself did (a purpose withdrawn at publication).
    public static let ledgerSource = "policy"

    /// A version of that name is stored already: it is not written again, and its notice is created only if it
    /// has none yet and this is the same publication (`PolicyVersion.isSamePublication`).
    public static func republishing<Failure: Error>(
        _ existing: PolicyVersion, as asked: PolicyVersion, notice: Campaign?, currentNotice: Campaign?,
        insert: (Campaign) throws(Failure) -> Campaign) throws(Failure) -> PolicyPublication {
        guard currentNotice == nil, var notice, existing.isSamePublication(as: asked) else {
            return PolicyPublication(version: existing, versionCreated: false, notice: currentNotice, noticeCreated: false, withdrawnGrants: 0)
        }
        notice.policyVersion = existing.version
        return PolicyPublication(version: existing, versionCreated: false, notice: try insert(notice), noticeCreated: true, withdrawnGrants: 0)
    }

    /// A new version, just written (`stored`, with its sequence number): every grant of the purpose it adds is
    /// withdrawn (`withdraw` applies one change, returning whether it changed anything), then its notice, if
    /// any, is created under its name.
    public static func publishing<Failure: Error>(
        _ stored: PolicyVersion, notice: Campaign?, holders: [Int64],
        withdraw: (Int64, ConsentChange) throws(Failure) -> Bool,
        insert: (Campaign) throws(Failure) -> Campaign) throws(Failure) -> PolicyPublication {
        var withdrawn = 0
        if let purpose = stored.addsPurpose {
            // Consents given under earlier versions did not cover the purpose this one adds.
            let change = ConsentChange(purpose: purpose, granted: false, source: ledgerSource, policyVersion: stored.version,
                                       noticeHash: stored.textHash, at: stored.publishedAt)
            for id in holders where try withdraw(id, change) { withdrawn += 1 }
        }
        var campaign: Campaign?
        if var notice {
            notice.policyVersion = stored.version
            campaign = try insert(notice)
        }
        return PolicyPublication(version: stored, versionCreated: true, notice: campaign, noticeCreated: campaign != nil, withdrawnGrants: withdrawn)
    }
}
