import Foundation
import GRDB

/// What registering a person writes.
public struct NewRecipient: Sendable, Equatable {
    public var email: String
    public var addressHash: Data
    public var name: String?
    public var birthYear: Int?
    public var products: [String]
    public var source: String

    public init(email: String, addressHash: Data, name: String?, birthYear: Int?, products: [String], source: String) {
        self.email = email
        self.addressHash = addressHash
        self.name = name
        self.birthYear = birthYear
        self.products = products
        self.source = source
    }
}

public struct RecipientWrite: Sendable, Equatable {
    public var recipient: Recipient
    public var created: Bool
    /// The consent changes that altered a purpose's state (repeating the current state records nothing).
    public var consentChanges: Int
}

extension HeraldStore {
    // MARK: - Invariant-preserving writes

    /// Registers a person (matched by address hash), or adds to an existing registration (new products, a given name, consent changes),
    /// in one transaction. Registering the same person twice with the same data changes nothing.
    public func register(_ new: NewRecipient, consents: [ConsentChange], at now: Date) throws(StorageError) -> RecipientWrite {
        try write { db in
            var created = false
            var recipient: Recipient
            if var existing = try Recipient.filter(Column("address_hash") == new.addressHash).fetchOne(db) {
                var changed = false
                if let name = new.name, existing.name != name { existing.name = name; changed = true }
                if let year = new.birthYear, existing.birthYear != year { existing.birthYear = year; changed = true }
                if changed { try existing.update(db) }
                recipient = existing
            } else {
                recipient = Recipient(email: new.email, addressHash: new.addressHash, name: new.name,
                                      birthYear: new.birthYear, source: new.source, createdAt: now)
                try recipient.insert(db)
                created = true
            }
            let id = recipient.id!
            for product in new.products {
                try db.execute(sql: "INSERT OR IGNORE INTO recipient_products (recipient_id, product) VALUES (?, ?)",
                               arguments: [id, product])
            }
            var changes = 0
            for change in consents where try Self.apply(change, to: id, in: db) { changes += 1 }
            return RecipientWrite(recipient: recipient, created: created, consentChanges: changes)
        }
    }

    /// Records one consent change for an existing person. Returns false when the purpose was already in
    /// that state (nothing is written then).
    public func applyConsent(_ change: ConsentChange, recipientID: Int64) throws(StorageError) -> Bool {
        try write { db in try Self.apply(change, to: recipientID, in: db) }
    }

    /// The ledger row and the current state change together or not at all.
    static func apply(_ change: ConsentChange, to recipientID: Int64, in db: Database) throws -> Bool {
        let current = try Bool.fetchOne(db, sql: "SELECT granted FROM consents WHERE recipient_id = ? AND purpose = ?",
                                        arguments: [recipientID, change.purpose])
        if current == change.granted { return false }
        if current == nil, !change.granted { return false }
        try ConsentLedgerEntry(id: nil, recipientId: recipientID, purpose: change.purpose,
                               action: change.granted ? "grant" : "revoke", source: change.source,
                               policyVersion: change.policyVersion, noticeHash: change.noticeHash,
                               recordedAt: change.at).insert(db)
        try db.execute(sql: """
            INSERT INTO consents (recipient_id, purpose, granted, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (recipient_id, purpose) DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at
            """, arguments: [recipientID, change.purpose, change.granted, change.at])
        return true
    }

    /// Adds a keyed hash to the suppression list; an existing entry keeps its first reason.
    public func suppress(addressHash: Data, reason: String, at now: Date) throws(StorageError) -> Bool {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO suppressions (address_hash, reason, created_at) VALUES (?, ?, ?)",
                           arguments: [addressHash, reason, now])
            return db.changesCount > 0
        }
    }

    // MARK: - Reads

    /// The person whose address has this keyed hash (addresses match by their case-folded form).
    public func recipient(addressHash: Data) throws(StorageError) -> Recipient? {
        try read { db in try Recipient.filter(Column("address_hash") == addressHash).fetchOne(db) }
    }

    public func products(ofRecipient id: Int64) throws(StorageError) -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT product FROM recipient_products WHERE recipient_id = ? ORDER BY product", arguments: [id])
        }
    }

    public func consents(ofRecipient id: Int64) throws(StorageError) -> [ConsentState] {
        try read { db in try ConsentState.filter(Column("recipient_id") == id).order(Column("purpose")).fetchAll(db) }
    }

    public func ledger(ofRecipient id: Int64) throws(StorageError) -> [ConsentLedgerEntry] {
        try read { db in try ConsentLedgerEntry.filter(Column("recipient_id") == id).order(Column("id")).fetchAll(db) }
    }

    public func suppressionReason(addressHash: Data) throws(StorageError) -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT reason FROM suppressions WHERE address_hash = ?", arguments: [addressHash])
        }
    }

    public func recipientCount() throws(StorageError) -> Int {
        try read { db in try Recipient.fetchCount(db) }
    }
}
