import Foundation

/// Registrations that wait for the person's confirmation (double opt-in), part of the consent store.
/// Until confirmed nothing is stored about a person: each request waits on its own, with its own data, beside
/// the consent store, and only its own link applies it.
public protocol PendingRegistrationStore: Sendable {
    /// Records one request and queues its confirmation mail (in the standing campaign of kind `confirmation`,
    /// due now), in one transaction. With `limits` (the public form), the confirmation mails of the last
    /// `limits.window` are counted first, in that same transaction and serialised with every other request,
    /// so several processes share the limits: past one, nothing is stored or queued. Without (an operator's
    /// invitation), nothing is limited or counted.
    func requestRegistration(_ request: NewRegistrationRequest, limits: RegistrationLimits?,
                             at now: Date) throws(StorageError) -> RegistrationRequestOutcome

    /// The purposes a request asks for; nil when it no longer waits (confirmed already, or expired).
    func pendingPurposes(requestID: Int64) throws(StorageError) -> [Purpose]?

    /// The person confirmed the link that `named` these purposes, in one transaction: the person is found by
    /// the request's address hash, or made with its address, name and birth year; those of its purposes the
    /// link named become consents (ledger rows with `source` and the hash of the notice the person confirmed);
    /// its products are added; a suppression for one of the `lifting` reasons goes; the request is deleted,
    /// leaving only its id and the time of its confirmation (see `confirmedAt`).
    /// Returns the purposes granted; nil when the request no longer waits.
    func confirmPending(requestID: Int64, named: Set<Purpose>, source: String, noticeHash: String?, lifting: Set<SuppressionReason>,
                        at now: Date) throws(StorageError) -> [Purpose]?

    /// When the request was confirmed, if it was within the window `deleteUnconfirmed` keeps: a confirmed
    /// request leaves its id and that time, nothing about the person, so that its link, opened again, says it
    /// was confirmed already. Nil for a request never confirmed, or confirmed before the window.
    func confirmedAt(requestID: Int64) throws(StorageError) -> Date?

    /// Data minimisation: deletes the requests made before `cutoff` (a request's life is counted from when it
    /// was made; nothing extends it), with their addresses, and the marks of requests confirmed before it.
    /// Returns how many requests went.
    func deleteUnconfirmed(before cutoff: Date) throws(StorageError) -> Int
}
