import Foundation
import GRDB
import Store

extension SQLiteStore {
    public func personRecord(addressHash: Data) throws(StorageError) -> PersonRecord {
        try read { db in
            let suppression = try Row.fetchOne(db, sql: "SELECT reason, created_at FROM suppressions WHERE address_hash = ?", arguments: [addressHash])
                .map { row in
                    PersonRecord.Suppression(reason: try stored(row[0], as: SuppressionReason.self, column: "suppressions.reason"), createdAt: row[1])
                }
            // -- name: waiting-registrations-of-address (a confirmation job names its request by the negated id)
            let waiting = try Row.fetchAll(db, sql: """
                SELECT r.email, r.name, r.birth_year, r.products, r.purposes, r.requested_at, o.state
                FROM registration_requests r LEFT JOIN outbox o ON o.recipient_id = -r.id
                WHERE r.address_hash = ? ORDER BY r.id
                """, arguments: [addressHash]).map { row in
                PersonRecord.WaitingRegistration(
                    email: row[0], name: row[1], birthYear: row[2], products: Self.list(from: row[3]), purposes: Self.purposes(from: row[4]),
                    requestedAt: row[5], mail: try (row[6] as String?).map { try stored($0, as: OutboxState.self, column: "outbox.state") })
            }
            guard let recipient = try Recipient.fetchOne(db, addressHash: addressHash), let id = recipient.id else {
                return PersonRecord(recipient: nil, products: [], consents: [], ledger: [], messages: [], suppression: suppression,
                                    waitingRegistrations: waiting)
            }
            let messages = try Row.fetchAll(db, sql: """
                SELECT o.campaign_id, c.name, c.kind, o.state, o.attempts, o.queued_at, o.finished_at,
                       o.last_code, o.last_enhanced_status, o.last_reply
                FROM outbox o JOIN campaigns c ON c.id = o.campaign_id WHERE o.recipient_id = ? ORDER BY o.id
                """, arguments: [id]).map { row in
                PersonRecord.Message(campaignId: row[0], campaignName: row[1],
                                     kind: try stored(row[2], as: CampaignKind.self, column: "campaigns.kind"),
                                     state: try stored(row[3], as: OutboxState.self, column: "outbox.state"), attempts: row[4],
                                     queuedAt: row[5], finishedAt: row[6], lastCode: row[7], lastEnhancedStatus: row[8], lastReply: row[9])
            }
            return PersonRecord(
                recipient: recipient,
                products: try Self.products(ofRecipient: id, in: db),
                consents: try ConsentState.fetchAll(db, recipientID: id),
                ledger: try ConsentLedgerEntry.fetchAll(db, recipientID: id),
                messages: messages, suppression: suppression, waitingRegistrations: waiting)
        }
    }

    /// `secure_delete` zeroes the freed pages, and the WAL is checkpointed and truncated after, so the
    /// address does not linger in the database files.
    public func erase(addressHash: Data, at now: Date) throws(StorageError) -> Bool {
        let erased: Bool = try write { db in
            try db.execute(sql: "DELETE FROM recipients WHERE address_hash = ?", arguments: [addressHash])
            var removed = db.changesCount
            // Registrations still waiting hold the address too (to send their mail); their jobs go by trigger.
            try db.execute(sql: "DELETE FROM registration_requests WHERE address_hash = ?", arguments: [addressHash])
            removed += db.changesCount
            guard removed > 0 else { return false }
            try db.execute(sql: Self.insertSuppression, arguments: [addressHash, SuppressionReason.erased.rawValue, now])
            return true
        }
        if erased { try checkpoint() }
        return erased
    }

    /// Moves the WAL's content into the database file and empties the WAL.
    public func checkpoint() throws(StorageError) {
        do {
            try writer.writeWithoutTransaction { db in
                _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw StorageError(underlying: error)
        }
    }
}
