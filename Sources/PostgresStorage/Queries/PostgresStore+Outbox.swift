import Foundation
import Store

extension PostgresStore {
    /// -- name: claim-jobs
    /// Expired leases (a dead worker's) first, then due jobs, oldest first, with what composing needs, in one
    /// statement. `FOR UPDATE SKIP LOCKED`: a row another worker is claiming this instant is passed over rather
    /// than waited for, so each job goes to one worker and claims never queue behind each other.
    /// Due jobs are taken in two lines, confirmations (`recipient_id < 0`, see `ConfirmationJobID`) and
    /// campaign jobs, each ranked oldest first: each line's first `ClaimShare` places come before either
    /// line's rest, so with both waiting the batch is split by the share, and with one short the other fills it.
    /// The claim is one statement, so it is its own transaction (no BEGIN and COMMIT round trips); what is
    /// read after it (the campaigns' names and templates) never changes once a campaign is sending.
    public func claimJobs(now: Date, limit: Int, leaseUntil: Date, owner: String,
                          confirmationShare: Double) throws(StorageError) -> [ClaimedJob] {
        let share = ClaimShare(limit: limit, confirmationShare: confirmationShare)
        return try read { (db) throws(StorageError) in
            // A confirmation's address, name and products are its request's.
            let rows = try db.query("""
                WITH expired AS (
                    SELECT o.id FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
                    WHERE o.state = 'sending' AND o.lease_until < $1 AND c.status = 'sending'
                    ORDER BY o.lease_until LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
                confirmations AS (
                    SELECT o.id, o.next_attempt_at AS due FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
                    WHERE o.state IN ('queued', 'deferred') AND o.recipient_id < 0 AND o.next_attempt_at <= $1 AND c.status = 'sending'
                    ORDER BY o.next_attempt_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
                campaign_jobs AS (
                    SELECT o.id, o.next_attempt_at AS due FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
                    WHERE o.state IN ('queued', 'deferred') AND o.recipient_id > 0 AND o.next_attempt_at <= $1 AND c.status = 'sending'
                    ORDER BY o.next_attempt_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
                ranked AS (
                    SELECT id, 0 AS tier, NULL::timestamptz AS due FROM expired
                    UNION ALL
                    SELECT id, CASE WHEN row_number() OVER (ORDER BY due, id) <= $5 THEN 1 ELSE 2 END, due FROM confirmations
                    UNION ALL
                    SELECT id, CASE WHEN row_number() OVER (ORDER BY due, id) <= $6 THEN 1 ELSE 2 END, due FROM campaign_jobs),
                picked AS (SELECT id FROM ranked ORDER BY tier, due, id LIMIT $2)
                UPDATE outbox SET state = 'sending', lease_until = $3, lease_owner = $4, attempts = outbox.attempts + 1
                FROM picked WHERE outbox.id = picked.id
                RETURNING outbox.id, outbox.campaign_id, outbox.recipient_id, outbox.attempts, outbox.queued_at,
                    CASE WHEN outbox.recipient_id < 0 THEN (SELECT email FROM registration_requests q WHERE q.id = -outbox.recipient_id)
                         ELSE (SELECT email FROM recipients r WHERE r.id = outbox.recipient_id) END,
                    CASE WHEN outbox.recipient_id < 0 THEN (SELECT name FROM registration_requests q WHERE q.id = -outbox.recipient_id)
                         ELSE (SELECT name FROM recipients r WHERE r.id = outbox.recipient_id) END,
                    CASE WHEN outbox.recipient_id < 0
                         THEN (SELECT NULLIF(replace(products, ',', chr(31)), '') FROM registration_requests q WHERE q.id = -outbox.recipient_id)
                         ELSE (SELECT string_agg(product, chr(31)) FROM recipient_products p WHERE p.recipient_id = outbox.recipient_id) END,
                    (SELECT purposes FROM registration_requests q WHERE q.id = -outbox.recipient_id),
                    (SELECT first_name FROM recipients r WHERE r.id = outbox.recipient_id),
                    (SELECT attributes::text FROM recipients r WHERE r.id = outbox.recipient_id)
                """, [.date(now), .integer(limit), .date(leaseUntil), .string(owner), .integer(share.confirmations), .integer(share.campaignJobs)])
            guard !rows.isEmpty else { return [] }
            var campaigns: [Int64: (name: String, kind: CampaignKind, template: String, policy: PolicyVersion?, words: CampaignWords?)] = [:]
            var jobs: [ClaimedJob] = []
            jobs.reserveCapacity(rows.count)
            for row in rows {
                // A recipient erased in the same instant has no address left; its job is not handed out.
                guard let email = row.string(5), let jobID = row.integer(0), let campaignID = row.integer(1), let recipientID = row.integer(2) else { continue }
                if campaigns[campaignID] == nil, let found = try Campaign.fetchAll(db, where: "id = $1", [.integer(campaignID)]).first {
                    let policy = try found.policyVersion.flatMap { (version) throws(StorageError) in
                        try PolicyVersion.fetchAll(db, where: "version = $1", [.string(version)]).first
                    }
                    campaigns[campaignID] = (found.name, found.kind, found.template, policy, found.words)
                }
                guard let campaign = campaigns[campaignID] else { continue }
                var job = ClaimedJob(
                    jobID: jobID, campaignID: campaignID, campaignName: campaign.name,
                    kind: campaign.kind, template: campaign.template, recipientID: recipientID,
                    email: email, name: row.string(6),
                    products: row.string(7).map { $0.split(separator: "\u{1F}").map(String.init).sorted() } ?? [],
                    attempt: row.int(3) ?? 1, queuedAt: try required(row.date(4), "outbox.queued_at"), leaseUntil: leaseUntil,
                    waitingPurposes: campaign.kind == .confirmation ? row.string(8).map(Self.purposes(from:)) ?? [] : [],
                    policy: campaign.policy)
                job.words = campaign.words
                job.firstName = row.string(9)
                job.attributes = PersonalFields.decode(row.string(10))
                jobs.append(job)
            }
            jobs.sort { $0.jobID < $1.jobID }
            return jobs
        }
    }

    /// A batch of outcomes in three statements whatever its size: the jobs whose lease still holds are updated
    /// and their attempt rows and suppressions written in one statement over the batch's arrays, then their
    /// campaigns finished. An outcome whose lease passed to another worker matches no row and writes nothing.
    public func record(_ outcomes: [JobOutcome], now: Date) throws(StorageError) {
        guard !outcomes.isEmpty else { return }
        try write { (db) throws(StorageError) in
            let finished = try db.query("""
                WITH batch AS (
                    SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
                        AS b(id, state, next_at, code, enhanced, reply, lease, suppress)),
                written AS (
                    UPDATE outbox o SET state = b.state, lease_until = NULL, lease_owner = NULL,
                        next_attempt_at = COALESCE(b.next_at, o.next_attempt_at),
                        finished_at = CASE WHEN b.state IN ('sent', 'bounced', 'skipped', 'failed') THEN $9::timestamptz END,
                        last_code = b.code, last_enhanced_status = b.enhanced, last_reply = b.reply
                    FROM batch b WHERE o.id = b.id AND o.state = 'sending' AND o.lease_until = b.lease
                    RETURNING o.id, o.campaign_id, o.recipient_id, b.state, b.code, b.enhanced, b.reply, b.suppress),
                attempts AS (
                    INSERT INTO delivery_attempts (job_id, attempted_at, outcome, code, enhanced_status, reply)
                    SELECT id, $9, state, code, enhanced, reply FROM written),
                suppressed AS (
                    -- A confirmation's address is its request's: a hard bounce of it suppresses the address too.
                    INSERT INTO suppressions (address_hash, reason, created_at)
                    SELECT DISTINCT ON (h.address_hash) h.address_hash, w.suppress, $9 FROM written w
                    CROSS JOIN LATERAL (SELECT COALESCE((SELECT address_hash FROM recipients r WHERE r.id = w.recipient_id),
                                                        (SELECT address_hash FROM registration_requests q WHERE q.id = -w.recipient_id)) AS address_hash) h
                    WHERE w.suppress IS NOT NULL AND h.address_hash IS NOT NULL ORDER BY h.address_hash, \(Self.rank("w.suppress")) DESC
                    ON CONFLICT (address_hash) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at
                    WHERE \(Self.rank("suppressions.reason")) < \(Self.rank("excluded.reason")))
                SELECT DISTINCT campaign_id FROM written WHERE state IN ('sent', 'bounced', 'skipped', 'failed')
                """, [.integers(outcomes.map(\.jobID)), .array(outcomes.map(\.state.rawValue)),
                      .array(outcomes.map { $0.nextAttemptAt.map(PostgresRow.timestampText) }), .array(outcomes.map { $0.code.map(String.init) }),
                      .array(outcomes.map(\.enhancedStatus)), .array(outcomes.map(\.reply)),
                      .array(outcomes.map { $0.lease.map(PostgresRow.timestampText) }), .array(outcomes.map(\.suppressAs?.rawValue)),
                      .date(now)])
            try Self.finishCampaigns(finished.compactMap { $0.integer(0) }, now: now, in: db)
        }
    }

    /// -- name: finish-campaigns
    /// These campaigns, if they have nothing left to try, become `done`; the standing confirmation campaign
    /// never finishes (registrations keep coming). Two workers recording a campaign's last jobs at once would
    /// each see the other's still `sending` and neither finish it, so a campaign with nothing left queued is
    /// locked first: the second waits for the first to commit, and its check (a new snapshot) then sees it.
    /// While jobs are still queued nothing is locked, so records do not queue behind each other.
    static func finishCampaigns(_ ids: [Int64], now: Date, in db: PostgresConnection) throws(StorageError) {
        guard !ids.isEmpty else { return }
        let ending = try db.query("""
            SELECT c.id FROM campaigns c
            WHERE c.id = ANY($1::bigint[]) AND c.status = 'sending' AND c.kind != 'confirmation'
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = c.id AND o.state IN ('queued', 'deferred'))
            ORDER BY c.id FOR UPDATE OF c
            """, [.integers(ids)]).compactMap { $0.integer(0) }
        guard !ending.isEmpty else { return }
        try db.query("""
            UPDATE campaigns SET status = 'done', finished_at = $1
            WHERE id = ANY($2::bigint[]) AND status = 'sending'
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = campaigns.id AND o.state IN ('queued', 'sending', 'deferred'))
            """, [.date(now), .integers(ending)])
    }

    public func outboxDepth() throws(StorageError) -> [OutboxState: Int] {
        try read { (db) throws(StorageError) in try Self.countsByState(db.query("SELECT state, COUNT(*) FROM outbox GROUP BY state")) }
    }

    public func nextWakeUp() throws(StorageError) -> Date? {
        try read { (db) throws(StorageError) in
            try db.query("""
                SELECT LEAST(
                    (SELECT MIN(o.next_attempt_at) FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
                        WHERE o.state IN ('queued', 'deferred') AND c.status = 'sending'),
                    (SELECT MIN(o.lease_until) FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
                        WHERE o.state = 'sending' AND c.status = 'sending'),
                    (SELECT MIN(due_at) FROM campaigns WHERE status = 'scheduled'))
                """).first?.date(0)
        }
    }

    /// Wakes the workers waiting on `herald_work` (LISTEN/NOTIFY) when this transaction commits: a campaign
    /// to start, jobs queued, a retry. PostgreSQL folds the same notice sent many times in one transaction into
    /// one.
    static func notifyWork(in db: PostgresConnection) throws(StorageError) {
        try db.query("SELECT pg_notify('\(workChannel)', '')")
    }

    static let workChannel = "herald_work"
}
