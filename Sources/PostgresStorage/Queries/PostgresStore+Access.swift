import Foundation
import Store

extension PostgresStore {
    /// In one snapshot, so the parts of the record agree with each other.
    public func personRecord(addressHash: Data) throws(StorageError) -> PersonRecord {
        try snapshot { (db) throws(StorageError) in
            let suppression = try db.query("SELECT reason, created_at FROM suppressions WHERE address_hash = $1", [.bytes(addressHash)]).first
                .map { (row) throws(StorageError) in
                    PersonRecord.Suppression(reason: try stored(row.string(0), as: SuppressionReason.self, column: "suppressions.reason"),
                                             createdAt: try required(row.date(1), "suppressions.created_at"))
                }
            // -- name: waiting-registrations-of-address (a confirmation job names its request by the negated id)
            var waiting: [PersonRecord.WaitingRegistration] = []
            for row in try db.query("""
                SELECT r.email, r.name, r.birth_year, r.products, r.purposes, r.requested_at, o.state
                FROM registration_requests r LEFT JOIN outbox o ON o.recipient_id = -r.id
                WHERE r.address_hash = $1 ORDER BY r.id
                """, [.bytes(addressHash)]) {
                waiting.append(PersonRecord.WaitingRegistration(
                    email: row.string(0) ?? "", name: row.string(1), birthYear: row.int(2), products: Self.list(from: row.string(3) ?? ""),
                    purposes: Self.purposes(from: row.string(4) ?? ""), requestedAt: try required(row.date(5), "registration_requests.requested_at"),
                    mail: try row.string(6).map { (state) throws(StorageError) in try stored(state, as: OutboxState.self, column: "outbox.state") }))
            }
            guard let recipient = try Recipient.fetchOne(db, addressHash: addressHash), let id = recipient.id else {
                return PersonRecord(recipient: nil, products: [], consents: [], ledger: [], messages: [], suppression: suppression,
                                    waitingRegistrations: waiting)
            }
            var messages: [PersonRecord.Message] = []
            for row in try db.query("""
                SELECT o.campaign_id, c.name, c.kind, o.state, o.attempts, o.queued_at, o.finished_at,
                       o.last_code, o.last_enhanced_status, o.last_reply
                FROM outbox o JOIN campaigns c ON c.id = o.campaign_id WHERE o.recipient_id = $1 ORDER BY o.id
                """, [.integer(id)]) {
                messages.append(PersonRecord.Message(
                    campaignId: try required(row.integer(0), "outbox.campaign_id"), campaignName: row.string(1) ?? "",
                    kind: try stored(row.string(2), as: CampaignKind.self, column: "campaigns.kind"),
                    state: try stored(row.string(3), as: OutboxState.self, column: "outbox.state"), attempts: row.int(4) ?? 0,
                    queuedAt: try required(row.date(5), "outbox.queued_at"), finishedAt: row.date(6), lastCode: row.int(7),
                    lastEnhancedStatus: row.string(8), lastReply: row.string(9)))
            }
            return PersonRecord(recipient: recipient, products: try Self.products(ofRecipient: id, in: db),
                                consents: try ConsentState.fetchAll(db, recipientID: id), ledger: try ConsentLedgerEntry.fetchAll(db, recipientID: id),
                                messages: messages, suppression: suppression, waitingRegistrations: waiting)
        }
    }

    /// The rows go in one transaction; then the tables that held the address are vacuumed, so their dead row
    /// versions are pruned and their index entries removed now rather than whenever autovacuum comes by. What
    /// PostgreSQL still keeps after that (the bytes of a pruned row until its space is reused, the WAL until
    /// it is recycled, archives and backups) is in the README ("Erasure on PostgreSQL").
    public func erase(addressHash: Data, at now: Date) throws(StorageError) -> Bool {
        let erased = try write { (db) throws(StorageError) in
            let people = try db.change("DELETE FROM recipients WHERE address_hash = $1", [.bytes(addressHash)])
            // Registrations still waiting hold the address too (to send their mail); their jobs go by trigger.
            let requests = try db.change("DELETE FROM registration_requests WHERE address_hash = $1", [.bytes(addressHash)])
            guard people + requests > 0 else { return false }
            try Self.suppress(addressHash, as: .erased, at: now, in: db)
            return true
        }
        if erased {
            try read { (db) throws(StorageError) in
                try db.execute("VACUUM (SKIP_LOCKED) recipients, recipient_products, consents, consent_ledger, registration_requests, outbox, delivery_attempts")
            }
        }
        return erased
    }

    public func aggregateCounts() throws(StorageError) -> AggregateCounts {
        try snapshot { (db) throws(StorageError) in
            var counts = AggregateCounts()
            counts.recipients = try db.query("SELECT COUNT(*) FROM recipients").first?.int(0) ?? 0
            for row in try db.query("SELECT purpose, COUNT(*) FILTER (WHERE granted), COUNT(*) FILTER (WHERE NOT granted) FROM consents GROUP BY purpose") {
                counts.consents[try stored(row.string(0), as: Purpose.self, column: "consents.purpose")] = (row.int(1) ?? 0, row.int(2) ?? 0)
            }
            for row in try db.query("SELECT product, COUNT(*) FROM recipient_products GROUP BY product") {
                if let product = row.string(0) { counts.products[product] = row.int(1) ?? 0 }
            }
            for row in try db.query("SELECT birth_year, COUNT(*) FROM recipients GROUP BY birth_year") {
                counts.birthYears[row.int(0)] = row.int(1) ?? 0
            }
            for row in try db.query("SELECT reason, COUNT(*) FROM suppressions GROUP BY reason") {
                counts.suppressions[try stored(row.string(0), as: SuppressionReason.self, column: "suppressions.reason")] = row.int(1) ?? 0
            }
            counts.messages = try Self.countsByState(db.query("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
            return counts
        }
    }
}
