import Foundation
import GRDB
import Store

extension SQLiteStore {
    /// -- name: claim-jobs
    /// Expired leases (a crashed worker's) first, then due jobs, oldest first, with what composing needs.
    /// Due jobs are taken in two lines, confirmations (`recipient_id < 0`, see `ConfirmationJobID`) and
    /// campaign jobs, each ranked oldest first: each line's first `ClaimShare` places come before either
    /// line's rest, so with both waiting the batch is split by the share, and with one short the other fills it.
    public func claimJobs(now: Date, limit: Int, leaseUntil: Date, owner: String,
                          confirmationShare: Double) throws(StorageError) -> [ClaimedJob] {
        let share = ClaimShare(limit: limit, confirmationShare: confirmationShare)
        return try write { db in
            // One statement that leases the jobs and returns what composing needs of each (the campaign's
            // strings come once per campaign, below); prepared once per connection, and read by column position:
            // parsing it and looking columns up by name were each a tenth of a claim. A confirmation's address,
            // name and products are its request's.
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                UPDATE outbox SET state = 'sending', lease_until = ?1, lease_owner = ?2, attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM (
                        SELECT id, 0 AS tier, NULL AS due FROM (
                            SELECT o.id FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
                            WHERE o.state = 'sending' AND o.lease_until < ?3 AND c.status = 'sending'
                            LIMIT ?4)
                        UNION ALL
                        SELECT id, CASE WHEN row_number() OVER (ORDER BY due, id) <= ?5 THEN 1 ELSE 2 END, due FROM (
                            SELECT o.id, o.next_attempt_at AS due FROM outbox o INDEXED BY outbox_ready_confirmations
                                JOIN campaigns c ON c.id = o.campaign_id
                            WHERE o.state IN ('queued', 'deferred') AND o.recipient_id < 0 AND o.next_attempt_at <= ?3 AND c.status = 'sending'
                            ORDER BY o.next_attempt_at, o.id
                            LIMIT ?4)
                        UNION ALL
                        SELECT id, CASE WHEN row_number() OVER (ORDER BY due, id) <= ?6 THEN 1 ELSE 2 END, due FROM (
                            SELECT o.id, o.next_attempt_at AS due FROM outbox o INDEXED BY outbox_ready JOIN campaigns c ON c.id = o.campaign_id
                            WHERE o.state IN ('queued', 'deferred') AND o.recipient_id > 0 AND o.next_attempt_at <= ?3 AND c.status = 'sending'
                            ORDER BY o.next_attempt_at, o.id
                            LIMIT ?4))
                    ORDER BY tier, due, id
                    LIMIT ?4)
                RETURNING id, campaign_id, recipient_id, attempts, queued_at,
                    CASE WHEN recipient_id < 0 THEN (SELECT email FROM registration_requests q WHERE q.id = -outbox.recipient_id)
                         ELSE (SELECT email FROM recipients r WHERE r.id = outbox.recipient_id) END,
                    CASE WHEN recipient_id < 0 THEN (SELECT name FROM registration_requests q WHERE q.id = -outbox.recipient_id)
                         ELSE (SELECT name FROM recipients r WHERE r.id = outbox.recipient_id) END,
                    CASE WHEN recipient_id < 0 THEN (SELECT NULLIF(replace(products, ',', char(31)), '') FROM registration_requests q WHERE q.id = -outbox.recipient_id)
                         ELSE (SELECT group_concat(product, char(31)) FROM recipient_products p WHERE p.recipient_id = outbox.recipient_id) END,
                    (SELECT purposes FROM registration_requests q WHERE q.id = -outbox.recipient_id),
                    (SELECT first_name FROM recipients r WHERE r.id = outbox.recipient_id),
                    (SELECT attributes FROM recipients r WHERE r.id = outbox.recipient_id)
                """), arguments: [leaseUntil, owner, now, limit, share.confirmations, share.campaignJobs])
            guard !rows.isEmpty else { return [] }
            var campaigns: [Int64: (name: String, kind: CampaignKind, template: String, policy: PolicyVersion?, words: CampaignWords?)] = [:]
            let campaignQuery = try db.cachedStatement(sql: "SELECT name, kind, template, policy_version, subject, preheader, body, body_format FROM campaigns WHERE id = ?")
            var jobs: [ClaimedJob] = []
            jobs.reserveCapacity(rows.count)
            for row in rows {
                // A recipient erased in the same instant has no address left; its job is not handed out.
                guard let email: String = row[5] else { continue }
                let campaignID: Int64 = row[1]
                if campaigns[campaignID] == nil, let found = try Row.fetchOne(campaignQuery, arguments: [campaignID]) {
                    let policy = try (found[3] as String?).flatMap { try PolicyVersion.fetchAll(db, where: "version = ?", arguments: [$0]).first }
                    campaigns[campaignID] = (found[0], try stored(found[1], as: CampaignKind.self, column: "campaigns.kind"), found[2], policy,
                                             try CampaignWords.stored(subject: found[4], preheader: found[5], body: found[6], format: found[7]))
                }
                guard let campaign = campaigns[campaignID] else { continue }
                let products: String? = row[7]
                let waiting: String? = row[8]
                var job = ClaimedJob(
                    jobID: row[0], campaignID: campaignID, campaignName: campaign.name,
                    kind: campaign.kind, template: campaign.template, recipientID: row[2],
                    email: email, name: row[6],
                    products: products.map { $0.split(separator: "\u{1F}").map(String.init).sorted() } ?? [],
                    attempt: row[3], queuedAt: row[4], leaseUntil: leaseUntil,
                    waitingPurposes: campaign.kind == .confirmation ? waiting.map(Self.purposes(from:)) ?? [] : [],
                    policy: campaign.policy)
                job.words = campaign.words
                job.firstName = row[9]
                job.attributes = PersonalFields.decode(row[10])
                jobs.append(job)
            }
            // RETURNING gives rows in no set order; jobs go out oldest first.
            jobs.sort { $0.jobID < $1.jobID }
            return jobs
        }
    }

    static func jsonList(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    /// Each outcome carries the lease its job was claimed with: a job whose lease expired and was claimed again
    /// by another worker is no longer ours, and its outcome is not written over the other worker's.
    public func record(_ outcomes: [JobOutcome], now: Date) throws(StorageError) {
        guard !outcomes.isEmpty else { return }
        try write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE outbox SET state = ?, lease_until = NULL, lease_owner = NULL, next_attempt_at = COALESCE(?, next_attempt_at),
                    finished_at = ?, last_code = ?, last_enhanced_status = ?, last_reply = ?
                WHERE id = ? AND state = 'sending' AND lease_until = ?
                """)
            let attempt = try db.cachedStatement(sql: Self.insertAttempt)
            // GRDB turns each Date into text through a DateFormatter, which cost more than the statements: the
            // batch shares one `now`, and its leases come from a few claims.
            let nowValue = now.databaseValue
            var leaseValues: [Date: DatabaseValue] = [:]
            var finished: [Int64] = []
            for outcome in outcomes {
                let lease = outcome.lease.map { date in
                    if let known = leaseValues[date] { return known }
                    let value = date.databaseValue
                    leaseValues[date] = value
                    return value
                }
                try update.execute(arguments: [outcome.state.rawValue, outcome.nextAttemptAt,
                                               outcome.state.isFinal ? nowValue : nil, outcome.code,
                                               outcome.enhancedStatus, outcome.reply, outcome.jobID, lease])
                guard db.changesCount > 0 else { continue }  // erased meanwhile, or the lease passed to another worker
                try attempt.execute(arguments: [outcome.jobID, nowValue, outcome.state.rawValue, outcome.code,
                                                outcome.enhancedStatus, outcome.reply])
                // A confirmation's address is its request's: a hard bounce of it suppresses the address too.
                if let reason = outcome.suppressAs, let hash = try Data.fetchOne(db, sql: """
                    SELECT COALESCE((SELECT address_hash FROM recipients r WHERE r.id = o.recipient_id),
                                    (SELECT address_hash FROM registration_requests q WHERE q.id = -o.recipient_id))
                    FROM outbox o WHERE o.id = ?
                    """, arguments: [outcome.jobID]) {
                    try db.execute(sql: Self.insertSuppression, arguments: [hash, reason.rawValue, now])
                }
                if outcome.state.isFinal { finished.append(outcome.jobID) }
            }
            try Self.finishCampaigns(containing: finished, now: now, in: db)
        }
    }

    /// The one way an attempt row is written (a recorded outcome, or one a dead worker's journal held).
    static let insertAttempt = """
        INSERT INTO delivery_attempts (job_id, attempted_at, outcome, code, enhanced_status, reply) VALUES (?, ?, ?, ?, ?, ?)
        """

    /// -- name: finish-campaigns
    /// The campaigns of these just-finished jobs that have nothing left to try become `done`; the standing
    /// confirmation campaign never finishes (registrations keep coming).
    static func finishCampaigns(containing finished: [Int64], now: Date, in db: Database) throws {
        guard !finished.isEmpty else { return }
        try db.execute(sql: """
            UPDATE campaigns SET status = 'done', finished_at = ?
            WHERE status = 'sending' AND kind != 'confirmation'
              AND id IN (SELECT DISTINCT campaign_id FROM outbox WHERE id IN (SELECT value FROM json_each(?)))
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = campaigns.id AND o.state IN ('queued', 'sending', 'deferred'))
            """, arguments: [now, jsonList(finished)])
    }

    public func outboxDepth() throws(StorageError) -> [OutboxState: Int] {
        try read { db in
            var depth: [OutboxState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM outbox GROUP BY state") {
                depth[try stored(row[0], as: OutboxState.self, column: "outbox.state")] = row[1]
            }
            return depth
        }
    }

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
