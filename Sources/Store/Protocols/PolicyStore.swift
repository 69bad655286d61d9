import Foundation

/// Privacy-policy versions and the choices people make on a materially changed one.
///
/// Invariants, whatever the backend:
/// - a version is written once and never changed; every ledger row written after it names it (or a later one)
///   unless the change names its own version;
/// - one notice campaign per version at most, however often it is published;
/// - a version that adds a purpose withdraws every grant of it in the same transaction (ledger rows with source
///   `policy`), so that purpose reaches only people who accept the version.
public protocol PolicyStore: Sendable {
    /// Publishes `version` and, when `notice` is given, its notice campaign, in one transaction. A version of that
    /// name already stored is not written again: it is returned (`versionCreated` false), and the notice is
    /// created only if it is the same publication and has none yet. `text`: the version's full policy text, if
    /// it was published with one, stored with a new version (never changed after).
    func publishPolicy(_ version: PolicyVersion, text: String?, notice: Campaign?) throws(StorageError) -> PolicyPublication

    /// The full policy text a version was published with; nil when it was published with its summary alone.
    func policyText(version: String) throws(StorageError) -> String?

    /// Oldest first.
    func policyVersions() throws(StorageError) -> [PolicyVersion]

    /// The notice campaign of a version, if it has one.
    func noticeCampaign(policyVersion: String) throws(StorageError) -> Campaign?

    /// Records a person's choice on a version: an `accept` or `decline` ledger row (with the purpose the version
    /// adds, which becomes granted or revoked with it), in one transaction; accepting is the person's own act
    /// and lifts an `unsubscribed-all` suppression when it grants a purpose. Returns false for an id nobody has.
    func recordPolicyChoice(recipientID: Int64, version: PolicyVersion, accepted: Bool, source: String, noticeHash: String?,
                            at now: Date) throws(StorageError) -> Bool

    /// The person's latest choice on that version (`accept` or `decline`), nil if they made none.
    func policyChoice(recipientID: Int64, version: String) throws(StorageError) -> ConsentLedgerEntry.Action?
}
