import Foundation
import Store

/// Access and erasure (promise 3): one person can get everything stored about them, or be erased, leaving
/// only the keyed hash that keeps them suppressed. There is deliberately no way to list addresses in bulk.
public struct PersonDataService: Sendable {
    let store: any AccessStore
    let hasher: AddressHasher
    let clock: @Sendable () -> Date

    public init(store: any AccessStore, hasher: AddressHasher, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
    }

    /// Everything stored about the person with that address. Fails if nothing at all is stored.
    public func export(email: String) throws(HeraldError) -> PersonExport {
        let address = try RegistrationRules.address(email)
        let record = try storage { () throws(StorageError) in try store.personRecord(addressHash: hasher.hash(address)) }
        guard record.recipient != nil || record.suppression != nil || !record.waitingRegistrations.isEmpty else {
            throw HeraldError(.notFound, "nothing is stored about that address")
        }
        return PersonExport(record)
    }

    /// Erases the person in one transaction; only the keyed hash stays, in the suppression list.
    public func erase(email: String) throws(HeraldError) {
        let address = try RegistrationRules.address(email)
        let erased = try storage { () throws(StorageError) in try store.erase(addressHash: hasher.hash(address), at: clock()) }
        guard erased else { throw HeraldError(.notFound, "no recipient with that address is registered; nothing was erased") }
    }
}

/// The JSON an access request gets: the person, their products, current consents, the whole consent ledger,
/// every message queued or sent to them with its outcome, whether the address is suppressed, and the
/// registrations of that address still waiting for their confirmation (what they hold until then).
public struct PersonExport: Sendable, Codable {
    public struct Person: Sendable, Codable {
        public var id: Int64
        public var email: String
        public var name: String?
        public var birthYear: Int?
        /// A first name given on its own, and the company's personal fields.
        public var firstName: String?
        public var attributes: [String: String]?
        public var source: String
        public var registeredAt: Date
    }

    public struct Consent: Sendable, Codable {
        public var purpose: Purpose
        public var granted: Bool
        public var since: Date
        /// The privacy-policy version the current choice was made under (its latest ledger row's).
        public var policyVersion: String?
    }

    public struct LedgerEntry: Sendable, Codable {
        /// nil for a choice on a policy version that adds no purpose (`accept`, `decline`).
        public var purpose: Purpose?
        public var action: ConsentLedgerEntry.Action
        public var source: String
        public var policyVersion: String?
        public var noticeHash: String?
        public var recordedAt: Date
    }

    public var recipient: Person?
    public var products: [String]
    public var consents: [Consent]
    public var consentLedger: [LedgerEntry]
    public var messages: [PersonRecord.Message]
    public var suppression: PersonRecord.Suppression?
    /// Registrations of this address that wait for their confirmation: someone (perhaps not the person) asked,
    /// and this is kept until the link is followed or 7 days pass.
    public var waitingRegistrations: [PersonRecord.WaitingRegistration]
    /// Stated so the reader knows what is not there: Herald records no IP address or user agent.
    public var notStored = ["ip addresses", "user agents", "payment data", "full birth date (only the year is kept)"]

    init(_ record: PersonRecord) {
        recipient = record.recipient.map {
            Person(id: $0.id ?? 0, email: $0.email, name: $0.name, birthYear: $0.birthYear, firstName: $0.firstName,
                   attributes: $0.attributes.isEmpty ? nil : $0.attributes, source: $0.source, registeredAt: $0.createdAt)
        }
        products = record.products
        consents = record.consents.map { state in
            Consent(purpose: state.purpose, granted: state.granted, since: state.updatedAt,
                    policyVersion: record.ledger.last { $0.purpose == state.purpose }?.policyVersion)
        }
        consentLedger = record.ledger.map {
            LedgerEntry(purpose: $0.purpose, action: $0.action, source: $0.source, policyVersion: $0.policyVersion,
                        noticeHash: $0.noticeHash, recordedAt: $0.recordedAt)
        }
        messages = record.messages
        suppression = record.suppression
        waitingRegistrations = record.waitingRegistrations
    }
}
