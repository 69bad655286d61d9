import Foundation
import Store

/// Registrations waiting for their double opt-in, and the standing campaign their confirmation mails go out in.
extension PostgresStore {
    public func registerPending(_ new: NewRecipient, purposes: [Purpose], at now: Date,
                                mailUnlessSince: Date) throws(StorageError) -> PendingRegistration {
        try write { (db) throws(StorageError) in
            // Only what reaching the person needs; the rest waits for the confirmation.
            let inserted = try db.query("""
                INSERT INTO recipients (email, address_hash, name, birth_year, source, created_at) VALUES ($1, $2, NULL, NULL, $3, $4)
                ON CONFLICT (address_hash) DO NOTHING RETURNING id
                """, [.string(new.email), .bytes(new.addressHash), .string(new.source), .date(now)])
            let creates = !inserted.isEmpty
            let found = creates ? inserted : try db.query("SELECT id FROM recipients WHERE address_hash = $1 FOR NO KEY UPDATE", [.bytes(new.addressHash)])
            let recipientID = try required(found.first?.integer(0), "recipients.id")
            let waiting = try db.query("SELECT purposes, products, mailed_at FROM pending_registrations WHERE recipient_id = $1",
                                       [.integer(recipientID)]).first
            let allPurposes = Set((waiting?.string(0).map(Self.purposes(from:)) ?? []) + purposes).map(\.rawValue).sorted()
            let allProducts = Set((waiting?.string(1).map(Self.list(from:)) ?? []) + new.products).sorted()
            let mailedAt = waiting?.date(2)
            let mail = mailedAt.map { $0 < mailUnlessSince } ?? true
            // A new mail starts the 7 days again, so its link does not die early.
            try db.query("""
                INSERT INTO pending_registrations (recipient_id, purposes, products, name, birth_year, requested_at, mailed_at, creates_recipient)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (recipient_id) DO UPDATE SET purposes = excluded.purposes, products = excluded.products,
                    name = COALESCE(excluded.name, pending_registrations.name),
                    birth_year = COALESCE(excluded.birth_year, pending_registrations.birth_year),
                    requested_at = CASE WHEN $9 THEN excluded.requested_at ELSE pending_registrations.requested_at END,
                    mailed_at = CASE WHEN $9 THEN excluded.mailed_at ELSE pending_registrations.mailed_at END
                """, [.integer(recipientID), .string(allPurposes.joined(separator: ",")), .string(allProducts.joined(separator: ",")),
                      .string(new.name), .integer(new.birthYear), .date(now), .date(mail ? now : mailedAt), .bool(creates), .bool(mail)])
            if mail { try Self.queueConfirmation(recipientID: recipientID, now: now, in: db) }
            return PendingRegistration(recipientID: recipientID, mailQueued: mail)
        }
    }

    public func pendingPurposes(recipientID: Int64) throws(StorageError) -> [Purpose]? {
        try read { (db) throws(StorageError) in
            try db.query("SELECT purposes FROM pending_registrations WHERE recipient_id = $1", [.integer(recipientID)]).first
                .map { Self.purposes(from: $0.string(0) ?? "") }
        }
    }

    public func confirmPending(recipientID: Int64, named: Set<Purpose>, source: String, noticeHash: String?, lifting: Set<SuppressionReason>,
                               at now: Date) throws(StorageError) -> [Purpose]? {
        try write { (db) throws(StorageError) in
            guard let hash = try Self.lock(recipients: [recipientID], in: db)[recipientID],
                  let row = try db.query("SELECT purposes, products, name, birth_year FROM pending_registrations WHERE recipient_id = $1",
                                         [.integer(recipientID)]).first
            else { return nil }
            // Only what the confirmed link named: a purpose someone else added since is not the person's choice.
            let purposes = Self.purposes(from: row.string(0) ?? "").filter(named.contains)
            for purpose in purposes {
                _ = try Self.apply(ConsentChange(purpose: purpose, granted: true, source: source, noticeHash: noticeHash, at: now), to: recipientID, in: db)
            }
            let products = Self.list(from: row.string(1) ?? "")
            if !products.isEmpty {
                try db.query("INSERT INTO recipient_products (recipient_id, product) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
                             [.integer(recipientID), .array(products)])
            }
            try db.query("UPDATE recipients SET name = COALESCE($1, name), birth_year = COALESCE($2, birth_year) WHERE id = $3",
                         [.string(row.string(2)), .integer(row.int(3)), .integer(recipientID)])
            _ = try Self.lift(addressHash: hash, reasons: lifting, in: db)
            try db.query("DELETE FROM pending_registrations WHERE recipient_id = $1", [.integer(recipientID)])
            return purposes
        }
    }

    public func deleteUnconfirmed(before cutoff: Date) throws(StorageError) -> Int {
        try write { (db) throws(StorageError) in
            // The people it may take are locked first: a confirmation committing meanwhile is then seen by the
            // DELETE below (a new snapshot), and its person stays.
            let candidates = try db.query("SELECT recipient_id FROM pending_registrations WHERE requested_at < $1 AND creates_recipient",
                                          [.date(cutoff)]).compactMap { $0.integer(0) }
            _ = try Self.lock(recipients: candidates, in: db)
            let count = try db.query("SELECT COUNT(*) FROM pending_registrations WHERE requested_at < $1", [.date(cutoff)]).first?.int(0) ?? 0
            // The people these registrations brought in go with everything about them, unless they have consented
            // to something since, by any way (the ledger says so); those who were already stored keep what they had.
            try db.query("""
                DELETE FROM recipients WHERE id IN (
                    SELECT recipient_id FROM pending_registrations WHERE requested_at < $1 AND creates_recipient)
                  AND NOT EXISTS (SELECT 1 FROM consent_ledger l WHERE l.recipient_id = recipients.id)
                """, [.date(cutoff)])
            try db.query("DELETE FROM pending_registrations WHERE requested_at < $1", [.date(cutoff)])
            return count
        }
    }

    /// -- name: queue-confirmation
    /// One job per person in the standing confirmation campaign (made the first time, under a lock so two
    /// registrations at once do not make two), due since 1970 so that the oldest-first claim takes it before
    /// any campaign's. A job that already went out is queued again.
    static func queueConfirmation(recipientID: Int64, now: Date, in db: PostgresConnection) throws(StorageError) {
        try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(confirmationLockKey)])
        var campaign = try db.query("SELECT id FROM campaigns WHERE kind = 'confirmation' AND status = 'sending' ORDER BY id LIMIT 1").first?.integer(0)
        if campaign == nil {
            campaign = try db.query("""
                INSERT INTO campaigns (name, kind, template, segment, status, due_at, created_at, started_at)
                VALUES ('Registration confirmations', 'confirmation', 'confirmation', NULL, 'sending', $1, $1, $1) RETURNING id
                """, [.date(now)]).first?.integer(0)
        }
        try db.query("""
            INSERT INTO outbox (campaign_id, recipient_id, state, next_attempt_at, queued_at) VALUES ($1, $2, 'queued', $3, $4)
            ON CONFLICT (campaign_id, recipient_id) DO UPDATE SET state = 'queued', attempts = 0, next_attempt_at = excluded.next_attempt_at,
                queued_at = excluded.queued_at, finished_at = NULL, lease_until = NULL, lease_owner = NULL
            WHERE outbox.state != 'sending'
            """, [.integer(campaign), .integer(recipientID), .date(Date(timeIntervalSince1970: 0)), .date(now)])
        try notifyWork(in: db)
    }

    /// `pg_advisory_xact_lock`'s key for making the standing confirmation campaign ("confirm" in ASCII).
    static let confirmationLockKey: Int64 = 0x63_6F_6E_66_69_72_6D

    static func purposes(from text: String) -> [Purpose] {
        list(from: text).compactMap(Purpose.init(rawValue:))
    }

    static func list(from text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }
}
