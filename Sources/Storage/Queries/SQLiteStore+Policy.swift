import Foundation
import GRDB
import Store

extension SQLiteStore {
    public func publishPolicy(_ version: PolicyVersion, text: String?, notice: Campaign?) throws(StorageError) -> PolicyPublication {
        try write { db in
            if let existing = try PolicyVersion.fetchAll(db, where: "version = ?", arguments: [version.version]).first {
                return try PolicyPublication.republishing(existing, as: version, notice: notice,
                                                          currentNotice: try Self.noticeCampaign(policyVersion: existing.version, in: db)) {
                    try Self.insert($0, in: db)
                }
            }
            try db.execute(sql: """
                INSERT INTO policy_versions (version, summary, text_hash, material, effective_at, published_at, adds_purpose)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [version.version, version.summary, version.textHash, version.material, version.effectiveAt,
                                  version.publishedAt, version.addsPurpose?.rawValue])
            if let text {
                try db.execute(sql: "INSERT INTO policy_texts (version, text) VALUES (?, ?)", arguments: [version.version, text])
            }
            var stored = version
            stored.seq = db.lastInsertedRowID
            let holders = try version.addsPurpose.map { purpose in
                try Int64.fetchAll(db, sql: "SELECT recipient_id FROM consents WHERE purpose = ? AND granted ORDER BY recipient_id",
                                   arguments: [purpose.rawValue])
            } ?? []
            return try PolicyPublication.publishing(stored, notice: notice, holders: holders,
                                                    withdraw: { id, change in try Self.apply(change, to: id, in: db) },
                                                    insert: { try Self.insert($0, in: db) })
        }
    }

    public func policyText(version: String) throws(StorageError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT text FROM policy_texts WHERE version = ?", arguments: [version]) }
    }

    public func policyVersions() throws(StorageError) -> [PolicyVersion] {
        try read { db in try PolicyVersion.fetchAll(db) }
    }

    public func noticeCampaign(policyVersion: String) throws(StorageError) -> Campaign? {
        try read { db in try Self.noticeCampaign(policyVersion: policyVersion, in: db) }
    }

    static func noticeCampaign(policyVersion: String, in db: Database) throws -> Campaign? {
        try Campaign.fetchAll(db, where: "policy_version = ?", arguments: [policyVersion]).first
    }

    public func recordPolicyChoice(recipientID: Int64, version: PolicyVersion, accepted: Bool, source: String, noticeHash: String?,
                                   at now: Date) throws(StorageError) -> Bool {
        try write { db in
            guard let hash = try Data.fetchOne(db, sql: "SELECT address_hash FROM recipients WHERE id = ?", arguments: [recipientID]) else {
                return false
            }
            let action: ConsentLedgerEntry.Action = accepted ? .accept : .decline
            try db.cachedStatement(sql: Self.insertLedgerEntry).execute(arguments: [
                recipientID, version.addsPurpose?.rawValue, action.rawValue, source, version.version, noticeHash, now])
            if let purpose = version.addsPurpose {
                try db.execute(sql: """
                    INSERT INTO consents (recipient_id, purpose, granted, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (recipient_id, purpose) DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at
                    """, arguments: [recipientID, purpose.rawValue, accepted, now])
                if accepted { _ = try Self.lift(addressHash: hash, reasons: [.unsubscribedAll], in: db) }
            }
            return true
        }
    }

    public func policyChoice(recipientID: Int64, version: String) throws(StorageError) -> ConsentLedgerEntry.Action? {
        try read { db in
            try String.fetchOne(db, sql: """
                SELECT action FROM consent_ledger WHERE recipient_id = ? AND policy_version = ? AND action IN ('accept', 'decline')
                ORDER BY id DESC LIMIT 1
                """, arguments: [recipientID, version]).map { try stored($0, as: ConsentLedgerEntry.Action.self, column: "consent_ledger.action") }
        }
    }
}
