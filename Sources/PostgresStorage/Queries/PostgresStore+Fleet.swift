import Foundation
import Store

/// What workers on several machines share besides the outbox (see `FleetStore`).
extension PostgresStore {
    public func heartbeat(owner: String, host: String, now: Date) throws(StorageError) {
        try write { (db) throws(StorageError) in
            try db.query("""
                INSERT INTO workers (owner, host, last_beat) VALUES ($1, $2, $3)
                ON CONFLICT (owner) DO UPDATE SET host = excluded.host, last_beat = excluded.last_beat, signed_off = FALSE
                """, [.string(owner), .string(host), .date(now)])
            try db.query("DELETE FROM workers WHERE last_beat < $1", [.date(now.addingTimeInterval(-86_400))])
        }
    }

    public func signOff(owner: String, now: Date) throws(StorageError) {
        try write { (db) throws(StorageError) in
            try db.query("UPDATE workers SET signed_off = TRUE, last_beat = $1 WHERE owner = $2", [.date(now), .string(owner)])
        }
    }

    public func workers(since: Date) throws(StorageError) -> [WorkerPresence] {
        try read { (db) throws(StorageError) in
            var presences: [WorkerPresence] = []
            for row in try db.query("SELECT owner, host, last_beat, signed_off FROM workers WHERE last_beat >= $1 ORDER BY owner", [.date(since)]) {
                presences.append(WorkerPresence(owner: try required(row.string(0), "workers.owner"), host: row.string(1) ?? "",
                                                lastBeat: try required(row.date(2), "workers.last_beat"), signedOff: row.bool(3) ?? false))
            }
            return presences
        }
    }

    /// The server's clock keeps the schedule: one row, moved on by each reservation under its row lock, so
    /// reservations from every machine line up one after another.
    public func reserveSendSlots(count: Int, interval: Double) throws(StorageError) -> Double {
        let span = Int64((Double(max(1, count)) * interval * 1_000_000).rounded())
        return try write { (db) throws(StorageError) in
            let seconds = try db.query("""
                WITH t AS (SELECT clock_timestamp() AS now)
                INSERT INTO send_schedule (id, next_slot) SELECT 1, now + $1 * interval '1 microsecond' FROM t
                ON CONFLICT (id) DO UPDATE SET next_slot = GREATEST(send_schedule.next_slot + $1 * interval '1 microsecond', excluded.next_slot)
                RETURNING EXTRACT(EPOCH FROM next_slot - (SELECT now FROM t)) - $1 / 1e6
                """, [.integer(span)]).first?.string(0).flatMap(Double.init) ?? 0
            return max(0, seconds)
        }
    }

    public func pauseDomain(_ domain: String, until: Date) throws(StorageError) {
        try write { (db) throws(StorageError) in
            try db.query("""
                INSERT INTO domain_pauses (domain, paused_until) VALUES ($1, $2)
                ON CONFLICT (domain) DO UPDATE SET paused_until = GREATEST(domain_pauses.paused_until, excluded.paused_until)
                """, [.string(domain), .date(until)])
            try db.query("DELETE FROM domain_pauses WHERE paused_until < $1", [.date(until.addingTimeInterval(-86_400))])
        }
    }

    public func pausedDomains(now: Date) throws(StorageError) -> [String: Date] {
        try read { (db) throws(StorageError) in
            var paused: [String: Date] = [:]
            for row in try db.query("SELECT domain, paused_until FROM domain_pauses WHERE paused_until > $1", [.date(now)]) {
                if let domain = row.string(0), let until = row.date(1) { paused[domain] = until }
            }
            return paused
        }
    }

    public func makeWorkListener() throws(StorageError) -> (any WorkListener)? {
        try PostgresWorkListener(settings: pool.settings)
    }
}
