import Foundation
import GRDB

/// Giving claimed jobs back: never attempted, postponed, or left behind by a worker that died.
extension HeraldStore {
    /// Gives back claimed jobs that were never attempted (the destination failed first, or the worker is
    /// stopping): they return to the state they had, without counting an attempt.
    public func release(_ jobs: [ClaimedJob]) throws(StorageError) {
        try giveBack(jobs, until: nil)
    }

    /// Like `release`, but not to be tried before `until` (their destination asked Herald to slow down).
    public func postpone(_ jobs: [ClaimedJob], until: Date) throws(StorageError) {
        try giveBack(jobs, until: until)
    }

    private func giveBack(_ jobs: [ClaimedJob], until: Date?) throws(StorageError) {
        guard !jobs.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE outbox SET state = CASE WHEN last_code IS NULL AND last_reply IS NULL THEN 'queued' ELSE 'deferred' END,
                    attempts = attempts - 1, lease_until = NULL, lease_owner = NULL,
                    next_attempt_at = COALESCE(?, next_attempt_at)
                WHERE id = ? AND state = 'sending' AND lease_until = ?
                """)
            for job in jobs {
                try statement.execute(arguments: [until, job.jobID, job.leaseUntil])
            }
        }
    }

    /// Takes back at once the jobs leased by workers that are gone (`isAlive` says which owners still run),
    /// instead of waiting for their leases to expire. Their attempt stays counted: a message in flight when
    /// its worker died may have been delivered. Returns how many jobs came back.
    public func reclaimAbandoned(now: Date, isAlive: (String) -> Bool) throws(StorageError) -> Int {
        try write { db in
            let owners = try String.fetchAll(db, sql: "SELECT DISTINCT lease_owner FROM outbox WHERE state = 'sending' AND lease_owner IS NOT NULL")
            var reclaimed = 0
            for owner in owners where !isAlive(owner) {
                try db.execute(sql: """
                    UPDATE outbox SET state = CASE WHEN last_code IS NULL AND last_reply IS NULL THEN 'queued' ELSE 'deferred' END,
                        lease_until = NULL, lease_owner = NULL, next_attempt_at = ?
                    WHERE state = 'sending' AND lease_owner = ?
                    """, arguments: [now, owner])
                reclaimed += db.changesCount
            }
            return reclaimed
        }
    }
}
