import Foundation
import Store

/// Giving claimed jobs back: never attempted, postponed, or left behind by a worker that died.
extension PostgresStore {
    /// The state a job given back returns to: `queued` if no attempt of it ever got a reply, else `deferred`.
    static let givenBackState = "CASE WHEN last_code IS NULL AND last_reply IS NULL THEN 'queued' ELSE 'deferred' END"

    public func release(_ jobs: [ClaimedJob]) throws(StorageError) {
        try giveBack(jobs.map { ($0, nil) })
    }

    public func postpone(_ jobs: [(job: ClaimedJob, until: Date)]) throws(StorageError) {
        try giveBack(jobs.map { ($0.job, $0.until) })
    }

    /// One statement for the batch, each job only while it still holds the lease it was claimed with.
    private func giveBack(_ jobs: [(ClaimedJob, Date?)]) throws(StorageError) {
        guard !jobs.isEmpty else { return }
        try write { (db) throws(StorageError) in
            try db.query("""
                UPDATE outbox o SET state = \(Self.givenBackState), attempts = o.attempts - 1, lease_until = NULL, lease_owner = NULL,
                    next_attempt_at = COALESCE(b.until, o.next_attempt_at)
                FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[]) AS b(id, until, lease)
                WHERE o.id = b.id AND o.state = 'sending' AND o.lease_until = b.lease
                """, [.integers(jobs.map(\.0.jobID)), .array(jobs.map { $0.1.map(PostgresRow.timestampText) }),
                      .array(jobs.map { PostgresRow.timestampText($0.0.leaseUntil) })])
        }
    }

    public func reclaimAbandoned(now: Date, isAlive: (String) -> Bool,
                                 accepted: [String: [JobOutcome]]) throws(StorageError) -> (recorded: Int, reclaimed: Int) {
        try write { (db) throws(StorageError) in
            var recorded = 0
            var campaigns: Set<Int64> = []
            for (owner, outcomes) in accepted where !isAlive(owner) {
                for outcome in outcomes {
                    // Recorded before the worker died, or taken back since: no row matches.
                    let rows = try db.query("""
                        UPDATE outbox SET state = $1, lease_until = NULL, lease_owner = NULL, finished_at = $2,
                            last_code = $3, last_enhanced_status = $4, last_reply = $5
                        WHERE id = $6 AND state = 'sending' AND lease_owner = $7 RETURNING campaign_id
                        """, [.string(outcome.state.rawValue), .date(now), .integer(outcome.code), .string(outcome.enhancedStatus),
                              .string(outcome.reply), .integer(outcome.jobID), .string(owner)])
                    guard let campaign = rows.first?.integer(0) else { continue }
                    try db.query("""
                        INSERT INTO delivery_attempts (job_id, attempted_at, outcome, code, enhanced_status, reply) VALUES ($1, $2, $3, $4, $5, $6)
                        """, [.integer(outcome.jobID), .date(now), .string(outcome.state.rawValue), .integer(outcome.code),
                              .string(outcome.enhancedStatus), .string(outcome.reply)])
                    recorded += 1
                    campaigns.insert(campaign)
                }
            }
            var reclaimed = 0
            for row in try db.query("SELECT DISTINCT lease_owner FROM outbox WHERE state = 'sending' AND lease_owner IS NOT NULL") {
                guard let owner = row.string(0), !isAlive(owner) else { continue }
                reclaimed += try db.change("""
                    UPDATE outbox SET state = \(Self.givenBackState), lease_until = NULL, lease_owner = NULL, next_attempt_at = $1
                    WHERE state = 'sending' AND lease_owner = $2
                    """, [.date(now), .string(owner)])
            }
            try Self.finishCampaigns(Array(campaigns), now: now, in: db)
            if reclaimed > 0 { try Self.notifyWork(in: db) }
            return (recorded, reclaimed)
        }
    }
}
