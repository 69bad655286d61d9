import Foundation
import GRDB

/// Everything stored about one person, for an access request.
public struct PersonRecord: Sendable {
    public struct Message: Sendable, Codable, Equatable {
        public var campaignId: Int64
        public var campaignName: String
        public var kind: String
        public var state: String
        public var attempts: Int
        public var queuedAt: Date
        public var finishedAt: Date?
        public var lastCode: Int?
        public var lastEnhancedStatus: String?
        public var lastReply: String?
    }

    public struct Suppression: Sendable, Codable, Equatable {
        public var reason: String
        public var createdAt: Date
    }

    public var recipient: Recipient?
    public var products: [String]
    public var consents: [ConsentState]
    public var ledger: [ConsentLedgerEntry]
    public var messages: [Message]
    public var suppression: Suppression?
}

extension HeraldStore {
    /// One read, so the parts agree with each other.
    public func personRecord(addressHash: Data) throws(StorageError) -> PersonRecord {
        try read { db in
            let suppression = try Row.fetchOne(db, sql: "SELECT reason, created_at FROM suppressions WHERE address_hash = ?", arguments: [addressHash])
                .map { PersonRecord.Suppression(reason: $0["reason"], createdAt: $0["created_at"]) }
            guard let recipient = try Recipient.filter(Column("address_hash") == addressHash).fetchOne(db), let id = recipient.id else {
                return PersonRecord(recipient: nil, products: [], consents: [], ledger: [], messages: [], suppression: suppression)
            }
            let messages = try Row.fetchAll(db, sql: """
                SELECT o.campaign_id, c.name, c.kind, o.state, o.attempts, o.queued_at, o.finished_at,
                       o.last_code, o.last_enhanced_status, o.last_reply
                FROM outbox o JOIN campaigns c ON c.id = o.campaign_id WHERE o.recipient_id = ? ORDER BY o.id
                """, arguments: [id]).map { row in
                PersonRecord.Message(campaignId: row[0], campaignName: row[1], kind: row[2], state: row[3], attempts: row[4],
                                     queuedAt: row[5], finishedAt: row[6], lastCode: row[7], lastEnhancedStatus: row[8], lastReply: row[9])
            }
            return PersonRecord(
                recipient: recipient,
                products: try String.fetchAll(db, sql: "SELECT product FROM recipient_products WHERE recipient_id = ? ORDER BY product", arguments: [id]),
                consents: try ConsentState.filter(Column("recipient_id") == id).order(Column("purpose")).fetchAll(db),
                ledger: try ConsentLedgerEntry.filter(Column("recipient_id") == id).order(Column("id")).fetchAll(db),
                messages: messages, suppression: suppression)
        }
    }

    /// Deletes the person with everything that refers to them (products, consents, ledger, outbox jobs and
    /// their delivery attempts) and leaves only the keyed hash in the suppression list, in one transaction.
    /// `secure_delete` zeroes the freed pages, and the WAL is checkpointed and truncated after, so the
    /// address does not linger in the database files. Returns false if nobody had that hash.
    public func erase(addressHash: Data, at now: Date) throws(StorageError) -> Bool {
        let erased: Bool = try write { db in
            try db.execute(sql: "DELETE FROM recipients WHERE address_hash = ?", arguments: [addressHash])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "INSERT OR IGNORE INTO suppressions (address_hash, reason, created_at) VALUES (?, 'erased', ?)",
                           arguments: [addressHash, now])
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

    /// Removes a suppression, but only for the given reasons (a new explicit consent lifts `erased` and
    /// `unsubscribed-all`; nothing lifts `bounced`, `complaint` or `manual`). Returns whether one was lifted.
    public func liftSuppression(addressHash: Data, reasons: Set<String>) throws(StorageError) -> Bool {
        guard !reasons.isEmpty else { return false }
        return try write { db in
            let marks = Array(repeating: "?", count: reasons.count).joined(separator: ", ")
            try db.execute(sql: "DELETE FROM suppressions WHERE address_hash = ? AND reason IN (\(marks))",
                           arguments: StatementArguments([addressHash.databaseValue] + reasons.sorted().map(\.databaseValue)))
            return db.changesCount > 0
        }
    }
}
