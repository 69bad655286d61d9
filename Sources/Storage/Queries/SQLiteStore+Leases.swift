import Foundation
import GRDB
import Store

/// Giving claimed jobs back: never attempted, postponed, or left behind by a worker that died.
extension SQLiteStore {
    /// The state a job given back returns to: `queued` if no attempt of it ever got a reply, else `deferred`.
    static let givenBackState = "CASE WHEN last_code IS NULL AND last_reply IS NULL THEN 'queued' ELSE 'deferred' END"

    public func release(_ jobs: [ClaimedJob]) throws(StorageError) {
        try giveBack(jobs.map { ($0, nil) })
    }

    public func postpone(_ jobs: [(job: ClaimedJob, until: Date)]) throws(StorageError) {
        try giveBack(jobs.map { ($0.job, $0.until) })
    }

    private func giveBack(_ jobs: [(ClaimedJob, Date?)]) throws(StorageError) {
        guard !jobs.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE outbox SET state = \(Self.givenBackState),
                    attempts = attempts - 1, lease_until = NULL, lease_owner = NULL,
                    next_attempt_at = COALESCE(?, next_attempt_at)
                WHERE id = ? AND state = 'sending' AND lease_until = ?
                """)
            for (job, until) in jobs {
                try statement.execute(arguments: [until, job.jobID, job.leaseUntil])
            }
        }
    }

    /// Instead of waiting for their leases to expire. The jobs a journal holds become `sent` as the dead
    /// worker's own record would have made them; the rest keep their attempt counted: a message in flight
    /// when its worker died may have been delivered.
    public func reclaimAbandoned(now: Date, isAlive: (String) -> Bool,
                                 accepted: [String: [JobOutcome]]) throws(StorageError) -> (recorded: Int, reclaimed: Int) {
        try write { db in
            var recorded = 0
            var finished: [Int64] = []
            for (owner, outcomes) in accepted where !isAlive(owner) {
                for outcome in outcomes {
                    try db.execute(sql: """
                        UPDATE outbox SET state = ?, lease_until = NULL, lease_owner = NULL, finished_at = ?,
                            last_code = ?, last_enhanced_status = ?, last_reply = ?
                        WHERE id = ? AND state = 'sending' AND lease_owner = ?
                        """, arguments: [outcome.state.rawValue, now, outcome.code, outcome.enhancedStatus, outcome.reply, outcome.jobID, owner])
                    guard db.changesCount > 0 else { continue }  // recorded before the worker died, or taken back since
                    try db.execute(sql: Self.insertAttempt, arguments: [outcome.jobID, now, outcome.state.rawValue, outcome.code, outcome.enhancedStatus, outcome.reply])
                    recorded += 1
                    finished.append(outcome.jobID)
                }
            }
            let owners = try String.fetchAll(db, sql: "SELECT DISTINCT lease_owner FROM outbox WHERE state = 'sending' AND lease_owner IS NOT NULL")
            var reclaimed = 0
            for owner in owners where !isAlive(owner) {
                try db.execute(sql: """
                    UPDATE outbox SET state = \(Self.givenBackState),
                        lease_until = NULL, lease_owner = NULL, next_attempt_at = ?
                    WHERE state = 'sending' AND lease_owner = ?
                    """, arguments: [now, owner])
                reclaimed += db.changesCount
            }
            try Self.finishCampaigns(containing: finished, now: now, in: db)
            return (recorded, reclaimed)
        }
    }
}
