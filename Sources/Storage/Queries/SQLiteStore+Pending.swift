import Foundation
import GRDB
import Store

/// Registrations waiting for their double opt-in, and the standing campaign their confirmation mails go out in.
extension SQLiteStore {
    public func registerPending(_ new: NewRecipient, purposes: [Purpose], at now: Date,
                                mailUnlessSince: Date) throws(StorageError) -> PendingRegistration {
        try write { db in
            var id = try Int64.fetchOne(db, sql: "SELECT id FROM recipients WHERE address_hash = ?", arguments: [new.addressHash])
            let creates = id == nil
            if id == nil {
                // Only what reaching the person needs; the rest waits for the confirmation.
                try db.execute(sql: "INSERT INTO recipients (email, address_hash, name, birth_year, source, created_at) VALUES (?, ?, NULL, NULL, ?, ?)",
                               arguments: [new.email, new.addressHash, new.source, now])
                id = db.lastInsertedRowID
            }
            let recipientID = id!
            let waiting = try Row.fetchOne(db, sql: "SELECT purposes, products, mailed_at FROM pending_registrations WHERE recipient_id = ?",
                                           arguments: [recipientID])
            let allPurposes = Set(((waiting?["purposes"] as String?).map(Self.purposes(from:)) ?? []) + purposes).map(\.rawValue).sorted()
            let allProducts = Set(((waiting?["products"] as String?).map(Self.list(from:)) ?? []) + new.products).sorted()
            let mailedAt: Date? = waiting?["mailed_at"]
            let mail = mailedAt.map { $0 < mailUnlessSince } ?? true
            // A new mail starts the 7 days again, so its link does not die early.
            try db.execute(sql: """
                INSERT INTO pending_registrations (recipient_id, purposes, products, name, birth_year, requested_at, mailed_at, creates_recipient)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (recipient_id) DO UPDATE SET purposes = excluded.purposes, products = excluded.products,
                    name = COALESCE(excluded.name, pending_registrations.name), birth_year = COALESCE(excluded.birth_year, pending_registrations.birth_year),
                    requested_at = CASE WHEN ? THEN excluded.requested_at ELSE pending_registrations.requested_at END,
                    mailed_at = CASE WHEN ? THEN excluded.mailed_at ELSE pending_registrations.mailed_at END
                """, arguments: [recipientID, allPurposes.joined(separator: ","), allProducts.joined(separator: ","), new.name, new.birthYear,
                                 now, mail ? now : mailedAt, creates, mail, mail])
            if mail { try Self.queueConfirmation(recipientID: recipientID, now: now, in: db) }
            return PendingRegistration(recipientID: recipientID, mailQueued: mail)
        }
    }

    public func pendingPurposes(recipientID: Int64) throws(StorageError) -> [Purpose]? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT purposes FROM pending_registrations WHERE recipient_id = ?", arguments: [recipientID])
                .map(Self.purposes(from:))
        }
    }

    public func confirmPending(recipientID: Int64, named: Set<Purpose>, source: String, noticeHash: String?, lifting: Set<SuppressionReason>,
                               at now: Date) throws(StorageError) -> [Purpose]? {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT purposes, products, name, birth_year FROM pending_registrations WHERE recipient_id = ?",
                                             arguments: [recipientID]),
                  let hash = try Data.fetchOne(db, sql: "SELECT address_hash FROM recipients WHERE id = ?", arguments: [recipientID])
            else { return nil }
            // Only what the confirmed link named: a purpose someone else added since is not the person's choice.
            let purposes = Self.purposes(from: row["purposes"]).filter(named.contains)
            for purpose in purposes {
                _ = try Self.apply(ConsentChange(purpose: purpose, granted: true, source: source, noticeHash: noticeHash, at: now), to: recipientID, in: db)
            }
            for product in Self.list(from: row["products"]) {
                try db.execute(sql: "INSERT OR IGNORE INTO recipient_products (recipient_id, product) VALUES (?, ?)", arguments: [recipientID, product])
            }
            try db.execute(sql: "UPDATE recipients SET name = COALESCE(?, name), birth_year = COALESCE(?, birth_year) WHERE id = ?",
                           arguments: [row["name"] as String?, row["birth_year"] as Int?, recipientID])
            _ = try Self.lift(addressHash: hash, reasons: lifting, in: db)
            try db.execute(sql: "DELETE FROM pending_registrations WHERE recipient_id = ?", arguments: [recipientID])
            return purposes
        }
    }

    public func deleteUnconfirmed(before cutoff: Date) throws(StorageError) -> Int {
        try write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_registrations WHERE requested_at < ?", arguments: [cutoff]) ?? 0
            // The people these registrations brought in go with everything about them, unless they have consented
            // to something since, by any way (the ledger says so); those who were already stored keep what they had.
            try db.execute(sql: """
                DELETE FROM recipients WHERE id IN (
                    SELECT recipient_id FROM pending_registrations WHERE requested_at < ? AND creates_recipient)
                  AND NOT EXISTS (SELECT 1 FROM consent_ledger l WHERE l.recipient_id = recipients.id)
                """, arguments: [cutoff])
            try db.execute(sql: "DELETE FROM pending_registrations WHERE requested_at < ?", arguments: [cutoff])
            return count
        }
    }

    /// -- name: queue-confirmation
    /// One job per person in the standing confirmation campaign (made the first time), due since 1970 so that
    /// the oldest-first claim takes it before any campaign's. A job that already went out is queued again.
    static func queueConfirmation(recipientID: Int64, now: Date, in db: Database) throws {
        var campaign = try Int64.fetchOne(db, sql: "SELECT id FROM campaigns WHERE kind = 'confirmation' AND status = 'sending' ORDER BY id LIMIT 1")
        if campaign == nil {
            try db.execute(sql: """
                INSERT INTO campaigns (name, kind, template, segment, status, due_at, created_at, started_at)
                VALUES ('Registration confirmations', 'confirmation', 'confirmation', NULL, 'sending', ?, ?, ?)
                """, arguments: [now, now, now])
            campaign = db.lastInsertedRowID
        }
        try db.execute(sql: """
            INSERT INTO outbox (campaign_id, recipient_id, state, next_attempt_at, queued_at) VALUES (?, ?, 'queued', ?, ?)
            ON CONFLICT (campaign_id, recipient_id) DO UPDATE SET state = 'queued', attempts = 0, next_attempt_at = excluded.next_attempt_at,
                queued_at = excluded.queued_at, finished_at = NULL, lease_until = NULL, lease_owner = NULL
            WHERE outbox.state != 'sending'
            """, arguments: [campaign, recipientID, Date(timeIntervalSince1970: 0), now])
    }

    static func purposes(from text: String) -> [Purpose] {
        list(from: text).compactMap(Purpose.init(rawValue:))
    }

    static func list(from text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }
}
