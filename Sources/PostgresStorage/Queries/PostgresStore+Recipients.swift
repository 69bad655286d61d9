import Foundation
import Store

extension PostgresStore {
    // MARK: - Invariant-preserving writes

    public func register(_ new: NewRecipient, consents: [ConsentChange], lifting: Set<SuppressionReason>,
                         at now: Date) throws(StorageError) -> RecipientWrite {
        try write { (db) throws(StorageError) in
            // Two registrations of one new address at once: one inserts, the other waits for it and finds it.
            let inserted = try db.query("""
                INSERT INTO recipients (email, address_hash, name, birth_year, source, created_at, first_name, attributes)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
                ON CONFLICT (address_hash) DO NOTHING RETURNING \(Recipient.columns)
                """, [.string(new.email), .bytes(new.addressHash), .string(new.name), .integer(new.birthYear), .string(new.source), .date(now),
                      .string(new.firstName), .string(PersonalFields.encode(new.attributes))])
            var recipient: Recipient
            let created = !inserted.isEmpty
            if let row = inserted.first {
                recipient = try Recipient(row: row)
            } else {
                guard let row = try db.query("SELECT \(Recipient.columns) FROM recipients WHERE address_hash = $1 FOR NO KEY UPDATE",
                                             [.bytes(new.addressHash)]).first else {
                    throw StorageError(message: "a recipient was neither inserted nor found")
                }
                recipient = try Recipient(row: row)
                var changed = false
                if let name = new.name, recipient.name != name { recipient.name = name; changed = true }
                if let year = new.birthYear, recipient.birthYear != year { recipient.birthYear = year; changed = true }
                if let first = new.firstName, recipient.firstName != first { recipient.firstName = first; changed = true }
                let fields = recipient.attributes.merging(new.attributes) { $1 }
                if fields != recipient.attributes { recipient.attributes = fields; changed = true }
                if changed {
                    try db.query("UPDATE recipients SET name = $1, birth_year = $2, first_name = $3, attributes = $4::jsonb WHERE id = $5",
                                 [.string(recipient.name), .integer(recipient.birthYear), .string(recipient.firstName),
                                  .string(PersonalFields.encode(recipient.attributes)), .integer(recipient.id)])
                }
            }
            let id = try required(recipient.id, "recipients.id")
            if !new.products.isEmpty {
                try db.query("""
                    INSERT INTO recipient_products (recipient_id, product) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING
                    """, [.integer(id), .array(new.products)])
            }
            var changes = 0
            for change in consents where try Self.apply(change, to: id, in: db) { changes += 1 }
            let lifted = try Self.lift(addressHash: new.addressHash, reasons: lifting, in: db)
            return RecipientWrite(recipient: recipient, created: created, consentChanges: changes, liftedSuppression: lifted)
        }
    }

    public func applyConsents(_ changes: [ConsentChange], recipientID: Int64, lifting: Set<SuppressionReason>) throws(StorageError) -> Int {
        try write { (db) throws(StorageError) in
            guard let hash = try Self.lock(recipients: [recipientID], in: db)[recipientID] else { return 0 }
            var changed = 0
            for change in changes where try Self.apply(change, to: recipientID, in: db) { changed += 1 }
            _ = try Self.lift(addressHash: hash, reasons: lifting, in: db)
            return changed
        }
    }

    public func applyConsents(_ changes: [(recipientID: Int64, change: ConsentChange)]) throws(StorageError) -> [Bool] {
        guard !changes.isEmpty else { return [] }
        return try write { (db) throws(StorageError) in
            let existing = try Self.lock(recipients: changes.map(\.recipientID), in: db)
            var applied: [Bool] = []
            for item in changes {
                applied.append(existing[item.recipientID] != nil ? try Self.apply(item.change, to: item.recipientID, in: db) : false)
            }
            return applied
        }
    }

    public func unsubscribeFromAll(recipientID: Int64, source: String, at now: Date) throws(StorageError) -> Int {
        try write { (db) throws(StorageError) in
            guard let hash = try Self.lock(recipients: [recipientID], in: db)[recipientID] else { return 0 }
            var revoked = 0
            for row in try db.query("SELECT purpose FROM consents WHERE recipient_id = $1 AND granted ORDER BY purpose", [.integer(recipientID)]) {
                let purpose = try stored(row.string(0), as: Purpose.self, column: "consents.purpose")
                if try Self.apply(ConsentChange(purpose: purpose, granted: false, source: source, at: now), to: recipientID, in: db) { revoked += 1 }
            }
            try Self.suppress(hash, as: .unsubscribedAll, at: now, in: db)
            return revoked
        }
    }

    /// The ledger row and the current state change together or not at all. The caller holds the person's
    /// row lock (or inserted the person in this transaction), so the state read here cannot change before the
    /// write.
    static func apply(_ change: ConsentChange, to recipientID: Int64, in db: PostgresConnection) throws(StorageError) -> Bool {
        let current = try db.query("SELECT granted FROM consents WHERE recipient_id = $1 AND purpose = $2",
                                   [.integer(recipientID), .string(change.purpose.rawValue)]).first?.bool(0)
        if current == change.granted { return false }
        if current == nil, !change.granted { return false }
        try db.query(insertLedgerEntry, [
            .integer(recipientID), .string(change.purpose.rawValue),
            .string(change.granted ? ConsentLedgerEntry.Action.grant.rawValue : ConsentLedgerEntry.Action.revoke.rawValue),
            .string(change.source), .string(change.policyVersion), .string(change.noticeHash), .date(change.at)])
        try db.query(upsertConsent, [.integer(recipientID), .string(change.purpose.rawValue), .bool(change.granted), .date(change.at)])
        return true
    }

    static let upsertConsent = """
        INSERT INTO consents (recipient_id, purpose, granted, updated_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (recipient_id, purpose) DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at
        """

    /// The one way a ledger row is written. A change that names no policy version is given under the newest
    /// published one.
    static let insertLedgerEntry = """
        INSERT INTO consent_ledger (recipient_id, purpose, action, source, policy_version, notice_hash, recorded_at)
        VALUES ($1, $2, $3, $4, COALESCE($5, (SELECT version FROM policy_versions ORDER BY seq DESC LIMIT 1)), $6, $7)
        """

    /// How hard a suppression reason is to lift (see the SQLite backend's `insertSuppression`): an entry keeps
    /// its reason unless a harder one comes.
    static func rank(_ column: String) -> String {
        "(CASE \(column) WHEN 'unsubscribed-all' THEN 0 WHEN 'erased' THEN 1 ELSE 2 END)"
    }

    /// The one way an address hash goes on the suppression list. Returns whether anything changed.
    @discardableResult
    static func suppress(_ hash: Data, as reason: SuppressionReason, at now: Date, in db: PostgresConnection) throws(StorageError) -> Bool {
        try db.change("""
            INSERT INTO suppressions (address_hash, reason, created_at) VALUES ($1, $2, $3)
            ON CONFLICT (address_hash) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at
            WHERE \(rank("suppressions.reason")) < \(rank("excluded.reason"))
            """, [.bytes(hash), .string(reason.rawValue), .date(now)]) > 0
    }

    public func suppress(addressHash: Data, reason: SuppressionReason, at now: Date) throws(StorageError) -> Bool {
        try write { (db) throws(StorageError) in try Self.suppress(addressHash, as: reason, at: now, in: db) }
    }

    /// Removes a suppression, but only for the given reasons. Returns whether one was lifted.
    static func lift(addressHash: Data, reasons: Set<SuppressionReason>, in db: PostgresConnection) throws(StorageError) -> Bool {
        guard !reasons.isEmpty else { return false }
        return try db.change("DELETE FROM suppressions WHERE address_hash = $1 AND reason = ANY($2::text[])",
                             [.bytes(addressHash), .array(reasons.map(\.rawValue).sorted())]) > 0
    }

    // MARK: - Reads

    public func recipient(addressHash: Data) throws(StorageError) -> Recipient? {
        try read { (db) throws(StorageError) in try Recipient.fetchOne(db, addressHash: addressHash) }
    }

    public func recipient(id: Int64) throws(StorageError) -> Recipient? {
        try read { (db) throws(StorageError) in
            try db.query("SELECT \(Recipient.columns) FROM recipients WHERE id = $1", [.integer(id)]).first.map { (row) throws(StorageError) in try Recipient(row: row) }
        }
    }

    public func products(ofRecipient id: Int64) throws(StorageError) -> [String] {
        try read { (db) throws(StorageError) in try Self.products(ofRecipient: id, in: db) }
    }

    static func products(ofRecipient id: Int64, in db: PostgresConnection) throws(StorageError) -> [String] {
        try db.query("SELECT product FROM recipient_products WHERE recipient_id = $1 ORDER BY product COLLATE \"C\"", [.integer(id)]).compactMap { $0.string(0) }
    }

    public func productNames() throws(StorageError) -> [String] {
        try read { (db) throws(StorageError) in
            try db.query("SELECT product FROM recipient_products GROUP BY product ORDER BY product COLLATE \"C\"").compactMap { $0.string(0) }
        }
    }

    public func consents(ofRecipient id: Int64) throws(StorageError) -> [ConsentState] {
        try read { (db) throws(StorageError) in try ConsentState.fetchAll(db, recipientID: id) }
    }

    public func ledger(ofRecipient id: Int64) throws(StorageError) -> [ConsentLedgerEntry] {
        try read { (db) throws(StorageError) in try ConsentLedgerEntry.fetchAll(db, recipientID: id) }
    }

    public func suppressionReason(addressHash: Data) throws(StorageError) -> SuppressionReason? {
        try read { (db) throws(StorageError) in
            try db.query("SELECT reason FROM suppressions WHERE address_hash = $1", [.bytes(addressHash)]).first
                .map { (row) throws(StorageError) in try stored(row.string(0), as: SuppressionReason.self, column: "suppressions.reason") }
        }
    }

    public func recipientCount() throws(StorageError) -> Int {
        try read { (db) throws(StorageError) in try db.query("SELECT COUNT(*) FROM recipients").first?.int(0) ?? 0 }
    }
}
