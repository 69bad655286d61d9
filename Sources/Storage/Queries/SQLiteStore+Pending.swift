import Foundation
import GRDB
import Store

/// Registration requests waiting for their double opt-in, the limits on their confirmation mails, and the
/// standing campaign those mails go out in.
extension SQLiteStore {
    /// One write transaction: SQLite lets one writer in at a time, so the counts read here cannot change before
    /// the request is written, whichever process writes.
    public func requestRegistration(_ request: NewRegistrationRequest, limits: RegistrationLimits?,
                                    at now: Date) throws(StorageError) -> RegistrationRequestOutcome {
        try write { db in
            if let limits {
                let since = now.addingTimeInterval(-limits.window)
                try db.execute(sql: "DELETE FROM confirmation_mail_log WHERE queued_at <= ?", arguments: [since])
                if let limit = try Self.exceededLimit(request, limits: limits, since: since, in: db) { return .limited(limit) }
                try db.execute(sql: "INSERT INTO confirmation_mail_log (mailbox_hash, domain_hash, challenged, queued_at) VALUES (?, ?, ?, ?)",
                               arguments: [request.mailboxHash, request.domainHash, request.challenged, now])
            }
            try db.execute(sql: """
                INSERT INTO registration_requests (email, address_hash, name, birth_year, products, purposes, source, requested_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [request.email, request.addressHash, request.name, request.birthYear, request.products.joined(separator: ","),
                                 request.purposes.map(\.rawValue).joined(separator: ","), request.source, now])
            let id = db.lastInsertedRowID
            try Self.queueConfirmation(requestID: id, now: now, in: db)
            return .queued(requestID: id)
        }
    }

    /// -- name: confirmation-mail-counts
    /// The public form's confirmation mails since `since`: to this mailbox, to this domain, in all, and in all
    /// without a solved challenge; the first limit they reach.
    static func exceededLimit(_ request: NewRegistrationRequest, limits: RegistrationLimits, since: Date,
                              in db: Database) throws -> RegistrationLimit? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT (SELECT COUNT(*) FROM confirmation_mail_log WHERE mailbox_hash = ? AND queued_at > ?),
                   (SELECT COUNT(*) FROM confirmation_mail_log WHERE domain_hash = ? AND queued_at > ?),
                   (SELECT COUNT(*) FROM confirmation_mail_log WHERE queued_at > ?),
                   (SELECT COUNT(*) FROM confirmation_mail_log WHERE NOT challenged AND queued_at > ?)
            """, arguments: [request.mailboxHash, since, request.domainHash, since, since, since]) else { return nil }
        return limits.exceeded(mailbox: row[0], domain: row[1], total: row[2], withoutChallenge: row[3], challenged: request.challenged)
    }

    public func pendingPurposes(requestID: Int64) throws(StorageError) -> [Purpose]? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT purposes FROM registration_requests WHERE id = ?", arguments: [requestID])
                .map(Self.purposes(from:))
        }
    }

    public func confirmPending(requestID: Int64, named: Set<Purpose>, source: String, noticeHash: String?, lifting: Set<SuppressionReason>,
                               at now: Date) throws(StorageError) -> [Purpose]? {
        try write { db in
            // Deleted first: the request is used once, and its confirmation's outbox row goes with it (trigger).
            guard let request = try Row.fetchOne(db, sql: """
                DELETE FROM registration_requests WHERE id = ? RETURNING email, address_hash, name, birth_year, products, purposes, source
                """, arguments: [requestID]) else { return nil }
            try db.execute(sql: "INSERT OR REPLACE INTO confirmed_registrations (request_id, confirmed_at) VALUES (?, ?)",
                           arguments: [requestID, now])
            let hash: Data = request["address_hash"]
            let recipientID: Int64
            if let known = try Int64.fetchOne(db, sql: "SELECT id FROM recipients WHERE address_hash = ?", arguments: [hash]) {
                // A stored person keeps what they have; the request only fills in what is missing.
                try db.execute(sql: "UPDATE recipients SET name = COALESCE(name, ?), birth_year = COALESCE(birth_year, ?) WHERE id = ?",
                               arguments: [request["name"] as String?, request["birth_year"] as Int?, known])
                recipientID = known
            } else {
                try db.execute(sql: "INSERT INTO recipients (email, address_hash, name, birth_year, source, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [request["email"] as String, hash, request["name"] as String?, request["birth_year"] as Int?,
                                           request["source"] as String, now])
                recipientID = db.lastInsertedRowID
            }
            // Only what the confirmed link named.
            let purposes = Self.purposes(from: request["purposes"]).filter(named.contains)
            for purpose in purposes {
                _ = try Self.apply(ConsentChange(purpose: purpose, granted: true, source: source, noticeHash: noticeHash, at: now), to: recipientID, in: db)
            }
            for product in Self.list(from: request["products"]) {
                try db.execute(sql: "INSERT OR IGNORE INTO recipient_products (recipient_id, product) VALUES (?, ?)", arguments: [recipientID, product])
            }
            _ = try Self.lift(addressHash: hash, reasons: lifting, in: db)
            return purposes
        }
    }

    public func confirmedAt(requestID: Int64) throws(StorageError) -> Date? {
        try read { db in
            try Date.fetchOne(db, sql: "SELECT confirmed_at FROM confirmed_registrations WHERE request_id = ?", arguments: [requestID])
        }
    }

    /// The confirmation mails' log goes too, past the same cutoff, in case no request came since to prune it.
    public func deleteUnconfirmed(before cutoff: Date) throws(StorageError) -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM registration_requests WHERE requested_at < ?", arguments: [cutoff])
            let deleted = db.changesCount
            try db.execute(sql: "DELETE FROM confirmation_mail_log WHERE queued_at < ?", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM confirmed_registrations WHERE confirmed_at < ?", arguments: [cutoff])
            return deleted
        }
    }

    /// -- name: queue-confirmation
    /// The request's job in the standing confirmation campaign (made the first time), due now: confirmation
    /// mails get their share of every claim (`claimJobs`' `confirmationShare`) rather than going before all.
    /// The job names the request by its negated id (`ConfirmationJobID`).
    static func queueConfirmation(requestID: Int64, now: Date, in db: Database) throws {
        var campaign = try Int64.fetchOne(db, sql: "SELECT id FROM campaigns WHERE kind = 'confirmation' AND status = 'sending' ORDER BY id LIMIT 1")
        if campaign == nil {
            try db.execute(sql: """
                INSERT INTO campaigns (name, kind, template, segment, status, due_at, created_at, started_at)
                VALUES ('Registration confirmations', 'confirmation', 'confirmation', NULL, 'sending', ?, ?, ?)
                """, arguments: [now, now, now])
            campaign = db.lastInsertedRowID
        }
        try db.execute(sql: "INSERT INTO outbox (campaign_id, recipient_id, state, next_attempt_at, queued_at) VALUES (?, ?, 'queued', ?, ?)",
                       arguments: [campaign, ConfirmationJobID.outboxRecipientID(requestID: requestID), now, now])
    }

    static func purposes(from text: String) -> [Purpose] {
        list(from: text).compactMap(Purpose.init(rawValue:))
    }

    static func list(from text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }
}
