import Foundation
import Store

/// Registration requests waiting for their double opt-in, the limits on their confirmation mails, and the
/// standing campaign those mails go out in.
extension PostgresStore {
    /// Under a transaction-wide advisory lock: every serve process on this database counts and writes the
    /// confirmation mails one after another, so none can slip past a limit while another counts.
    public func requestRegistration(_ request: NewRegistrationRequest, limits: RegistrationLimits?,
                                    at now: Date) throws(StorageError) -> RegistrationRequestOutcome {
        try write { (db) throws(StorageError) in
            if let limits {
                try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(Self.registrationLimitsLockKey)])
                let since = now.addingTimeInterval(-limits.window)
                try db.query("DELETE FROM confirmation_mail_log WHERE queued_at <= $1", [.date(since)])
                if let limit = try Self.exceededLimit(request, limits: limits, since: since, in: db) { return .limited(limit) }
                try db.query("INSERT INTO confirmation_mail_log (mailbox_hash, domain_hash, challenged, queued_at) VALUES ($1, $2, $3, $4)",
                             [.bytes(request.mailboxHash), .bytes(request.domainHash), .bool(request.challenged), .date(now)])
            }
            let id = try required(db.query("""
                INSERT INTO registration_requests (email, address_hash, name, birth_year, products, purposes, source, requested_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
                """, [.string(request.email), .bytes(request.addressHash), .string(request.name), .integer(request.birthYear),
                      .string(request.products.joined(separator: ",")), .string(request.purposes.map(\.rawValue).joined(separator: ",")),
                      .string(request.source), .date(now)]).first?.integer(0), "registration_requests.id")
            try Self.queueConfirmation(requestID: id, now: now, in: db)
            return .queued(requestID: id)
        }
    }

    /// -- name: confirmation-mail-counts
    /// The public form's confirmation mails since `since`: to this mailbox, to this domain, in all, and in all
    /// without a solved challenge; the first limit they reach.
    static func exceededLimit(_ request: NewRegistrationRequest, limits: RegistrationLimits, since: Date,
                              in db: PostgresConnection) throws(StorageError) -> RegistrationLimit? {
        guard let row = try db.query("""
            SELECT COUNT(*) FILTER (WHERE mailbox_hash = $1), COUNT(*) FILTER (WHERE domain_hash = $2),
                   COUNT(*), COUNT(*) FILTER (WHERE NOT challenged)
            FROM confirmation_mail_log WHERE queued_at > $3
            """, [.bytes(request.mailboxHash), .bytes(request.domainHash), .date(since)]).first else { return nil }
        return limits.exceeded(mailbox: row.int(0) ?? 0, domain: row.int(1) ?? 0, total: row.int(2) ?? 0,
                               withoutChallenge: row.int(3) ?? 0, challenged: request.challenged)
    }

    public func pendingPurposes(requestID: Int64) throws(StorageError) -> [Purpose]? {
        try read { (db) throws(StorageError) in
            try db.query("SELECT purposes FROM registration_requests WHERE id = $1", [.integer(requestID)]).first
                .map { Self.purposes(from: $0.string(0) ?? "") }
        }
    }

    public func confirmPending(requestID: Int64, named: Set<Purpose>, source: String, noticeHash: String?, lifting: Set<SuppressionReason>,
                               at now: Date) throws(StorageError) -> [Purpose]? {
        try write { (db) throws(StorageError) in
            // Deleted first: a second confirmation of the same request at the same moment waits for this one and
            // then finds nothing; its confirmation's outbox row goes with it (trigger).
            guard let request = try db.query("""
                DELETE FROM registration_requests WHERE id = $1 RETURNING email, address_hash, name, birth_year, products, purposes, source
                """, [.integer(requestID)]).first else { return nil }
            try db.query("INSERT INTO confirmed_registrations (request_id, confirmed_at) VALUES ($1, $2) ON CONFLICT (request_id) DO NOTHING",
                         [.integer(requestID), .date(now)])
            let hash = try required(request.bytes(1), "registration_requests.address_hash")
            // The person, made if new (another transaction making them at once: then found), and locked.
            _ = try db.query("""
                INSERT INTO recipients (email, address_hash, name, birth_year, source, created_at) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (address_hash) DO NOTHING
                """, [.string(request.string(0)), .bytes(hash), .string(request.string(2)), .integer(request.int(3)), .string(request.string(6)), .date(now)])
            let recipientID = try required(db.query("SELECT id FROM recipients WHERE address_hash = $1 FOR NO KEY UPDATE", [.bytes(hash)])
                .first?.integer(0), "recipients.id")
            // A stored person keeps what they have; the request only fills in what is missing.
            try db.query("UPDATE recipients SET name = COALESCE(name, $1), birth_year = COALESCE(birth_year, $2) WHERE id = $3",
                         [.string(request.string(2)), .integer(request.int(3)), .integer(recipientID)])
            // Only what the confirmed link named.
            let purposes = Self.purposes(from: request.string(5) ?? "").filter(named.contains)
            for purpose in purposes {
                _ = try Self.apply(ConsentChange(purpose: purpose, granted: true, source: source, noticeHash: noticeHash, at: now), to: recipientID, in: db)
            }
            let products = Self.list(from: request.string(4) ?? "")
            if !products.isEmpty {
                try db.query("INSERT INTO recipient_products (recipient_id, product) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
                             [.integer(recipientID), .array(products)])
            }
            _ = try Self.lift(addressHash: hash, reasons: lifting, in: db)
            return purposes
        }
    }

    public func confirmedAt(requestID: Int64) throws(StorageError) -> Date? {
        try read { (db) throws(StorageError) in
            try db.query("SELECT confirmed_at FROM confirmed_registrations WHERE request_id = $1", [.integer(requestID)]).first?.date(0)
        }
    }

    /// The confirmation mails' log goes too, past the same cutoff, in case no request came since to prune it.
    public func deleteUnconfirmed(before cutoff: Date) throws(StorageError) -> Int {
        try write { (db) throws(StorageError) in
            let deleted = try db.change("DELETE FROM registration_requests WHERE requested_at < $1", [.date(cutoff)])
            try db.query("DELETE FROM confirmation_mail_log WHERE queued_at < $1", [.date(cutoff)])
            try db.query("DELETE FROM confirmed_registrations WHERE confirmed_at < $1", [.date(cutoff)])
            return deleted
        }
    }

    /// -- name: queue-confirmation
    /// The request's job in the standing confirmation campaign (made the first time, under a lock so two
    /// registrations at once do not make two), due now: confirmation mails get their share of every claim
    /// (`claimJobs`' `confirmationShare`) rather than going before all. The job names the request by its
    /// negated id (`ConfirmationJobID`).
    static func queueConfirmation(requestID: Int64, now: Date, in db: PostgresConnection) throws(StorageError) {
        try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(confirmationLockKey)])
        var campaign = try db.query("SELECT id FROM campaigns WHERE kind = 'confirmation' AND status = 'sending' ORDER BY id LIMIT 1").first?.integer(0)
        if campaign == nil {
            campaign = try db.query("""
                INSERT INTO campaigns (name, kind, template, segment, status, due_at, created_at, started_at)
                VALUES ('Registration confirmations', 'confirmation', 'confirmation', NULL, 'sending', $1, $1, $1) RETURNING id
                """, [.date(now)]).first?.integer(0)
        }
        try db.query("INSERT INTO outbox (campaign_id, recipient_id, state, next_attempt_at, queued_at) VALUES ($1, $2, 'queued', $3, $3)",
                     [.integer(campaign), .integer(ConfirmationJobID.outboxRecipientID(requestID: requestID)), .date(now)])
        try notifyWork(in: db)
    }

    /// `pg_advisory_xact_lock`'s key for making the standing confirmation campaign ("confirm" in ASCII).
    static let confirmationLockKey: Int64 = 0x63_6F_6E_66_69_72_6D
    /// `pg_advisory_xact_lock`'s key for counting the public form's confirmation mails ("reglimit" in ASCII).
    static let registrationLimitsLockKey: Int64 = 0x72_65_67_6C_69_6D_69_74

    static func purposes(from text: String) -> [Purpose] {
        list(from: text).compactMap(Purpose.init(rawValue:))
    }

    static func list(from text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }
}
