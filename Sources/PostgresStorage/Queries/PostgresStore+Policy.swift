import Foundation
import Store

extension PostgresStore {
    public func policyText(version: String) throws(StorageError) -> String? {
        try read { (db) throws(StorageError) in
            try db.query("SELECT text FROM policy_texts WHERE version = $1", [.string(version)]).first?.string(0)
        }
    }

    public func publishPolicy(_ version: PolicyVersion, text: String?, notice: Campaign?) throws(StorageError) -> PolicyPublication {
        try write { (db) throws(StorageError) in
            // Two publications of one version at once: the second waits here, then finds the first's.
            try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(Self.policyLockKey)])
            // A version that adds a purpose withdraws every grant of it: a grant committing meanwhile, under the
            // old version, would escape the withdrawal. Consent writes wait for the publication (it is rare and
            // quick), and the list of holders below is read after every earlier one committed.
            if version.addsPurpose != nil {
                try db.execute("LOCK TABLE consents IN SHARE ROW EXCLUSIVE MODE")
            }
            if let existing = try PolicyVersion.fetchAll(db, where: "version = $1", [.string(version.version)]).first {
                return try PolicyPublication.republishing(existing, as: version, notice: notice,
                                                          currentNotice: try Self.noticeCampaign(policyVersion: existing.version, in: db)) {
                    (campaign) throws(StorageError) in try Self.insert(campaign, in: db)
                }
            }
            var stored = version
            stored.seq = try db.query("""
                INSERT INTO policy_versions (version, summary, text_hash, material, effective_at, published_at, adds_purpose)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq
                """, [.string(version.version), .string(version.summary), .string(version.textHash), .bool(version.material),
                      .date(version.effectiveAt), .date(version.publishedAt), .string(version.addsPurpose?.rawValue)]).first?.integer(0)
            if let text {
                try db.query("INSERT INTO policy_texts (version, text) VALUES ($1, $2)", [.string(version.version), .string(text)])
            }
            var holders: [Int64] = []
            if let purpose = version.addsPurpose {
                holders = try db.query("SELECT recipient_id FROM consents WHERE purpose = $1 AND granted ORDER BY recipient_id",
                                       [.string(purpose.rawValue)]).compactMap { $0.integer(0) }
                _ = try Self.lock(recipients: holders, in: db)
            }
            return try PolicyPublication.publishing(stored, notice: notice, holders: holders,
                                                    withdraw: { (id, change) throws(StorageError) in try Self.apply(change, to: id, in: db) },
                                                    insert: { (campaign) throws(StorageError) in try Self.insert(campaign, in: db) })
        }
    }

    /// `pg_advisory_xact_lock`'s key for publishing ("policy" in ASCII).
    static let policyLockKey: Int64 = 0x70_6F_6C_69_63_79

    public func policyVersions() throws(StorageError) -> [PolicyVersion] {
        try read { (db) throws(StorageError) in try PolicyVersion.fetchAll(db) }
    }

    public func noticeCampaign(policyVersion: String) throws(StorageError) -> Campaign? {
        try read { (db) throws(StorageError) in try Self.noticeCampaign(policyVersion: policyVersion, in: db) }
    }

    static func noticeCampaign(policyVersion: String, in db: PostgresConnection) throws(StorageError) -> Campaign? {
        try Campaign.fetchAll(db, where: "policy_version = $1", [.string(policyVersion)]).first
    }

    public func recordPolicyChoice(recipientID: Int64, version: PolicyVersion, accepted: Bool, source: String, noticeHash: String?,
                                   at now: Date) throws(StorageError) -> Bool {
        try write { (db) throws(StorageError) in
            guard let hash = try Self.lock(recipients: [recipientID], in: db)[recipientID] else { return false }
            let action: ConsentLedgerEntry.Action = accepted ? .accept : .decline
            try db.query(Self.insertLedgerEntry, [.integer(recipientID), .string(version.addsPurpose?.rawValue), .string(action.rawValue),
                                                  .string(source), .string(version.version), .string(noticeHash), .date(now)])
            if let purpose = version.addsPurpose {
                try db.query(Self.upsertConsent, [.integer(recipientID), .string(purpose.rawValue), .bool(accepted), .date(now)])
                if accepted { _ = try Self.lift(addressHash: hash, reasons: [.unsubscribedAll], in: db) }
            }
            return true
        }
    }

    public func policyChoice(recipientID: Int64, version: String) throws(StorageError) -> ConsentLedgerEntry.Action? {
        try read { (db) throws(StorageError) in
            try db.query("""
                SELECT action FROM consent_ledger WHERE recipient_id = $1 AND policy_version = $2 AND action IN ('accept', 'decline')
                ORDER BY id DESC LIMIT 1
                """, [.integer(recipientID), .string(version)]).first
                .map { (row) throws(StorageError) in try stored(row.string(0), as: ConsentLedgerEntry.Action.self, column: "consent_ledger.action") }
        }
    }
}
