import Foundation
import GRDB

/// What the last-moment check found for one recipient.
public struct SendPermission: Sendable, Equatable {
    public var recipientExists: Bool
    /// nil when no purpose was asked about.
    public var consentGranted: Bool?
    public var suppressionReason: String?
}

extension HeraldStore {
    /// -- name: claim-jobs
    /// Leases up to `limit` jobs that are due (queued or deferred with `next_attempt_at` passed) or whose
    /// lease expired (a crashed worker's), oldest first, and returns them with what composing needs.
    public func claimJobs(now: Date, limit: Int, leaseUntil: Date) throws(StorageError) -> [ClaimedJob] {
        try write { db in
            let ids = try Int64.fetchAll(db, sql: """
                UPDATE outbox SET state = 'sending', lease_until = ?, attempts = attempts + 1
                WHERE id IN (
                    SELECT o.id FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
                    WHERE c.status = 'sending' AND (
                        (o.state IN ('queued', 'deferred') AND o.next_attempt_at <= ?)
                        OR (o.state = 'sending' AND o.lease_until < ?))
                    ORDER BY o.next_attempt_at, o.id
                    LIMIT ?)
                RETURNING id
                """, arguments: [leaseUntil, now, now, limit])
            guard !ids.isEmpty else { return [] }
            let rows = try Row.fetchAll(db, sql: """
                SELECT o.id, o.campaign_id, o.recipient_id, o.attempts, o.queued_at, c.name AS campaign_name,
                       c.kind, c.template, r.email, r.name,
                       (SELECT group_concat(product, char(31)) FROM recipient_products p WHERE p.recipient_id = r.id) AS products
                FROM outbox o JOIN campaigns c ON c.id = o.campaign_id JOIN recipients r ON r.id = o.recipient_id
                WHERE o.id IN (SELECT value FROM json_each(?))
                ORDER BY o.id
                """, arguments: ["[" + ids.map(String.init).joined(separator: ",") + "]"])
            return rows.map { row in
                let products: String? = row["products"]
                return ClaimedJob(
                    jobID: row["id"], campaignID: row["campaign_id"], campaignName: row["campaign_name"],
                    kind: row["kind"], template: row["template"], recipientID: row["recipient_id"],
                    email: row["email"], name: row["name"],
                    products: products.map { $0.split(separator: "\u{1F}").map(String.init).sorted() } ?? [],
                    attempt: row["attempts"], queuedAt: row["queued_at"])
            }
        }
    }

    /// The last-moment check: one read of the committed state right before a message goes to SMTP.
    public func sendPermission(recipientID: Int64, purpose: String?) throws(StorageError) -> SendPermission {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT granted FROM consents WHERE recipient_id = r.id AND purpose = ?) AS granted,
                       (SELECT reason FROM suppressions s WHERE s.address_hash = r.address_hash) AS reason
                FROM recipients r WHERE r.id = ?
                """, arguments: [purpose, recipientID])
            else { return SendPermission(recipientExists: false, consentGranted: nil, suppressionReason: nil) }
            let granted: Bool? = row["granted"]
            return SendPermission(recipientExists: true, consentGranted: purpose == nil ? nil : (granted ?? false),
                                  suppressionReason: row["reason"])
        }
    }

    /// Records a batch of outcomes in one transaction: each job's state and reply, an attempt row each,
    /// suppressions for permanent refusals, and campaigns that have nothing left to try become `done`.
    ///
    /// `lease` is the value the jobs were claimed with: a job whose lease expired and was claimed again by
    /// another worker is no longer ours, and its outcome is not written over the other worker's.
    public func record(_ outcomes: [JobOutcome], lease: Date, now: Date) throws(StorageError) {
        guard !outcomes.isEmpty else { return }
        try write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE outbox SET state = ?, lease_until = NULL, next_attempt_at = COALESCE(?, next_attempt_at),
                    finished_at = ?, last_code = ?, last_enhanced_status = ?, last_reply = ?
                WHERE id = ? AND state = 'sending' AND lease_until = ?
                """)
            let attempt = try db.cachedStatement(sql: """
                INSERT INTO delivery_attempts (job_id, attempted_at, outcome, code, enhanced_status, reply)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            let suppress = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO suppressions (address_hash, reason, created_at)
                SELECT r.address_hash, ?, ? FROM outbox o JOIN recipients r ON r.id = o.recipient_id WHERE o.id = ?
                """)
            var campaigns = Set<Int64>()
            for outcome in outcomes {
                try update.execute(arguments: [outcome.state.rawValue, outcome.nextAttemptAt,
                                               outcome.state.isFinal ? now : nil, outcome.code,
                                               outcome.enhancedStatus, outcome.reply, outcome.jobID, lease])
                guard db.changesCount > 0 else { continue }  // erased meanwhile, or the lease passed to another worker
                try attempt.execute(arguments: [outcome.jobID, now, outcome.state.rawValue, outcome.code,
                                                outcome.enhancedStatus, outcome.reply])
                if let reason = outcome.suppressAs {
                    try suppress.execute(arguments: [reason, now, outcome.jobID])
                }
                if outcome.state.isFinal,
                   let campaign = try Int64.fetchOne(db, sql: "SELECT campaign_id FROM outbox WHERE id = ?", arguments: [outcome.jobID]) {
                    campaigns.insert(campaign)
                }
            }
            for campaign in campaigns {
                try db.execute(sql: """
                    UPDATE campaigns SET status = 'done', finished_at = ?
                    WHERE id = ? AND status = 'sending'
                      AND NOT EXISTS (SELECT 1 FROM outbox WHERE campaign_id = ? AND state IN ('queued', 'sending', 'deferred'))
                    """, arguments: [now, campaign, campaign])
            }
        }
    }

    /// When there will next be something to do: the earliest due job, expired lease or scheduled campaign.
    /// nil when nothing is pending at all.
    public func nextWakeUp() throws(StorageError) -> Date? {
        try read { db in
            try Date.fetchOne(db, sql: """
                SELECT MIN(t) FROM (
                    SELECT MIN(o.next_attempt_at) AS t FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
                        WHERE o.state IN ('queued', 'deferred') AND c.status = 'sending'
                    UNION ALL SELECT MIN(o.lease_until) FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
                        WHERE o.state = 'sending' AND c.status = 'sending'
                    UNION ALL SELECT MIN(due_at) FROM campaigns WHERE status = 'scheduled')
                """)
        }
    }
}

extension HeraldStore {
    /// Gives back claimed jobs that were never attempted (the destination failed first, or the worker is
    /// stopping): they return to the state they had, without counting an attempt.
    public func release(jobIDs: [Int64], lease: Date) throws(StorageError) {
        guard !jobIDs.isEmpty else { return }
        try write { db in
            try db.execute(sql: """
                UPDATE outbox SET state = CASE WHEN last_code IS NULL AND last_reply IS NULL THEN 'queued' ELSE 'deferred' END,
                    attempts = attempts - 1, lease_until = NULL
                WHERE state = 'sending' AND lease_until = ? AND id IN (SELECT value FROM json_each(?))
                """, arguments: [lease, "[" + jobIDs.map(String.init).joined(separator: ",") + "]"])
        }
    }
}
