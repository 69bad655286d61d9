import Foundation
import GRDB
import Store

extension SQLiteStore {
    // MARK: - Invariant-preserving writes

    public func register(_ new: NewRecipient, consents: [ConsentChange], lifting: Set<SuppressionReason>,
                         at now: Date) throws(StorageError) -> RecipientWrite {
        try write { db in
            var created = false
            var recipient: Recipient
            if var existing = try Recipient.fetchOne(db, addressHash: new.addressHash) {
                var changed = false
                if let name = new.name, existing.name != name { existing.name = name; changed = true }
                if let year = new.birthYear, existing.birthYear != year { existing.birthYear = year; changed = true }
                if let first = new.firstName, existing.firstName != first { existing.firstName = first; changed = true }
                let fields = existing.attributes.merging(new.attributes) { $1 }
                if fields != existing.attributes { existing.attributes = fields; changed = true }
                if changed {
                    try db.execute(sql: "UPDATE recipients SET name = ?, birth_year = ?, first_name = ?, attributes = ? WHERE id = ?",
                                   arguments: [existing.name, existing.birthYear, existing.firstName, PersonalFields.encode(existing.attributes), existing.id])
                }
                recipient = existing
            } else {
                recipient = Recipient(email: new.email, addressHash: new.addressHash, name: new.name,
                                      birthYear: new.birthYear, source: new.source, createdAt: now, firstName: new.firstName, attributes: new.attributes)
                try db.execute(sql: """
                    INSERT INTO recipients (email, address_hash, name, birth_year, source, created_at, first_name, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [new.email, new.addressHash, new.name, new.birthYear, new.source, now, new.firstName, PersonalFields.encode(new.attributes)])
                recipient.id = db.lastInsertedRowID
                created = true
            }
            let id = recipient.id!
            for product in new.products {
                try db.execute(sql: "INSERT OR IGNORE INTO recipient_products (recipient_id, product) VALUES (?, ?)",
                               arguments: [id, product])
            }
            var changes = 0
            for change in consents where try Self.apply(change, to: id, in: db) { changes += 1 }
            let lifted = try Self.lift(addressHash: new.addressHash, reasons: lifting, in: db)
            return RecipientWrite(recipient: recipient, created: created, consentChanges: changes, liftedSuppression: lifted)
        }
    }

    public func applyConsents(_ changes: [ConsentChange], recipientID: Int64, lifting: Set<SuppressionReason>) throws(StorageError) -> Int {
        try write { db in
            var changed = 0
            for change in changes where try Self.apply(change, to: recipientID, in: db) { changed += 1 }
            if !lifting.isEmpty, let hash = try Data.fetchOne(db, sql: "SELECT address_hash FROM recipients WHERE id = ?", arguments: [recipientID]) {
                _ = try Self.lift(addressHash: hash, reasons: lifting, in: db)
            }
            return changed
        }
    }

    public func applyConsents(_ changes: [(recipientID: Int64, change: ConsentChange)]) throws(StorageError) -> [Bool] {
        guard !changes.isEmpty else { return [] }
        return try write { db in try changes.map { item in try Self.apply(item.change, to: item.recipientID, in: db) } }
    }

    public func unsubscribeFromAll(recipientID: Int64, source: String, at now: Date) throws(StorageError) -> Int {
        try write { db in
            guard let hash = try Data.fetchOne(db, sql: "SELECT address_hash FROM recipients WHERE id = ?", arguments: [recipientID]) else { return 0 }
            let granted = try String.fetchAll(db, sql: "SELECT purpose FROM consents WHERE recipient_id = ? AND granted ORDER BY purpose",
                                              arguments: [recipientID])
            var revoked = 0
            for text in granted {
                let purpose = try stored(text, as: Purpose.self, column: "consents.purpose")
                if try Self.apply(ConsentChange(purpose: purpose, granted: false, source: source, at: now), to: recipientID, in: db) { revoked += 1 }
            }
            try db.execute(sql: Self.insertSuppression, arguments: [hash, SuppressionReason.unsubscribedAll.rawValue, now])
            return revoked
        }
    }

    /// The ledger row and the current state change together or not at all.
    /// Prepared once per connection (GRDB's statement cache): one-click commits run this for every change.
    static func apply(_ change: ConsentChange, to recipientID: Int64, in db: Database) throws -> Bool {
        let current = try Bool.fetchOne(db.cachedStatement(sql: "SELECT granted FROM consents WHERE recipient_id = ? AND purpose = ?"),
                                        arguments: [recipientID, change.purpose.rawValue])
        if current == change.granted { return false }
        if current == nil, !change.granted { return false }
        try db.cachedStatement(sql: Self.insertLedgerEntry).execute(arguments: [
            recipientID, change.purpose.rawValue, change.granted ? ConsentLedgerEntry.Action.grant.rawValue : ConsentLedgerEntry.Action.revoke.rawValue,
            change.source, change.policyVersion, change.noticeHash, change.at])
        try db.cachedStatement(sql: """
            INSERT INTO consents (recipient_id, purpose, granted, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (recipient_id, purpose) DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at
            """).execute(arguments: [recipientID, change.purpose.rawValue, change.granted, change.at])
        return true
    }

    /// The one way a ledger row is written (registration, consent changes, policy choices and the import's bulk
    /// path). A change that names no policy version is given under the newest published one.
    static let insertLedgerEntry = """
        INSERT INTO consent_ledger (recipient_id, purpose, action, source, policy_version, notice_hash, recorded_at)
        VALUES (?, ?, ?, ?, COALESCE(?, (SELECT version FROM policy_versions ORDER BY seq DESC LIMIT 1)), ?, ?)
        """

    /// The one way an address hash goes on the suppression list. An entry already there keeps its reason unless
    /// the new one is harder to lift: unsubscribed-all (lifted by the person's choice, or an operator's consent) <
    /// erased (only by the person's confirmation) < bounced, complaint, manual (by nothing). Otherwise an erasure
    /// after an unsubscribe could be undone by an operator, or a bounce after an erasure forgotten while
    /// confirmation mails went on.
    static let insertSuppression = """
        INSERT INTO suppressions (address_hash, reason, created_at) VALUES (?, ?, ?)
        ON CONFLICT (address_hash) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at
        WHERE (CASE suppressions.reason WHEN 'unsubscribed-all' THEN 0 WHEN 'erased' THEN 1 ELSE 2 END)
            < (CASE excluded.reason WHEN 'unsubscribed-all' THEN 0 WHEN 'erased' THEN 1 ELSE 2 END)
        """

    public func suppress(addressHash: Data, reason: SuppressionReason, at now: Date) throws(StorageError) -> Bool {
        try write { db in
            try db.execute(sql: Self.insertSuppression, arguments: [addressHash, reason.rawValue, now])
            return db.changesCount > 0
        }
    }

    /// Removes a suppression, but only for the given reasons. Returns whether one was lifted.
    static func lift(addressHash: Data, reasons: Set<SuppressionReason>, in db: Database) throws -> Bool {
        guard !reasons.isEmpty else { return false }
        let marks = Array(repeating: "?", count: reasons.count).joined(separator: ", ")
        try db.execute(sql: "DELETE FROM suppressions WHERE address_hash = ? AND reason IN (\(marks))",
                       arguments: StatementArguments([addressHash.databaseValue] + reasons.map(\.rawValue).sorted().map(\.databaseValue)))
        return db.changesCount > 0
    }

    // MARK: - Reads

    public func recipient(addressHash: Data) throws(StorageError) -> Recipient? {
        try read { db in try Recipient.fetchOne(db, addressHash: addressHash) }
    }

    public func recipient(id: Int64) throws(StorageError) -> Recipient? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Recipient.columns) FROM recipients WHERE id = ?", arguments: [id]).map(Recipient.init(row:))
        }
    }

    public func products(ofRecipient id: Int64) throws(StorageError) -> [String] {
        try read { db in try Self.products(ofRecipient: id, in: db) }
    }

    static func products(ofRecipient id: Int64, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT product FROM recipient_products WHERE recipient_id = ? ORDER BY product", arguments: [id])
    }

    public func productNames() throws(StorageError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT product FROM recipient_products ORDER BY product") }
    }

    public func consents(ofRecipient id: Int64) throws(StorageError) -> [ConsentState] {
        try read { db in try ConsentState.fetchAll(db, recipientID: id) }
    }

    public func ledger(ofRecipient id: Int64) throws(StorageError) -> [ConsentLedgerEntry] {
        try read { db in try ConsentLedgerEntry.fetchAll(db, recipientID: id) }
    }

    public func suppressionReason(addressHash: Data) throws(StorageError) -> SuppressionReason? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT reason FROM suppressions WHERE address_hash = ?", arguments: [addressHash])
                .map { text in try stored(text, as: SuppressionReason.self, column: "suppressions.reason") }
        }
    }

    public func recipientCount() throws(StorageError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recipients") ?? 0 }
    }
}
