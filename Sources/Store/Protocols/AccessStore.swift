import Foundation

/// What is stored about people, read as a whole: one person's record for an access request, their erasure,
/// and group counts for the aggregate report. There is deliberately no way to list addresses.
public protocol AccessStore: Sendable {
    /// Everything stored about the person with this keyed hash, in one read so the parts agree.
    func personRecord(addressHash: Data) throws(StorageError) -> PersonRecord

    /// Deletes the person and everything that refers to them (products, consents, ledger, outbox jobs and
    /// their attempts) and keeps only the keyed hash in the suppression list (`erased`), in one transaction.
    /// The backend must also make sure the address does not linger in its files (free pages, write-ahead log).
    /// Returns false if nobody had that hash.
    func erase(addressHash: Data, at now: Date) throws(StorageError) -> Bool

    /// Raw group counts; nothing in them identifies a person.
    func aggregateCounts() throws(StorageError) -> AggregateCounts
}
