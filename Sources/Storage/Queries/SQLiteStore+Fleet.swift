import Foundation
import GRDB
import Store

/// The fleet's shared state in the SQLite file: the workers beside each other on this machine (a `worker` next
/// to a `serve`, or several workers on one file) share it as workers on several machines share PostgreSQL's.
extension SQLiteStore {
    public func heartbeat(owner: String, host: String, now: Date) throws(StorageError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO workers (owner, host, last_beat) VALUES (?, ?, ?)
                ON CONFLICT (owner) DO UPDATE SET host = excluded.host, last_beat = excluded.last_beat, signed_off = 0
                """, arguments: [owner, host, now])
            try db.execute(sql: "DELETE FROM workers WHERE last_beat < ?", arguments: [now.addingTimeInterval(-86_400)])
        }
    }

    public func signOff(owner: String, now: Date) throws(StorageError) {
        try write { db in
            try db.execute(sql: "UPDATE workers SET signed_off = 1, last_beat = ? WHERE owner = ?", arguments: [now, owner])
        }
    }

    public func workers(since: Date) throws(StorageError) -> [WorkerPresence] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT owner, host, last_beat, signed_off FROM workers WHERE last_beat >= ? ORDER BY owner",
                             arguments: [since]).map { WorkerPresence(owner: $0[0], host: $0[1], lastBeat: $0[2], signedOff: $0[3]) }
        }
    }

    /// Every process on this file runs on this machine, so the wall clock is one clock for them all.
    public func reserveSendSlots(count: Int, interval: Double) throws(StorageError) -> Double {
        let span = Double(max(1, count)) * interval
        return try write { db in
            let now = Date().timeIntervalSince1970
            let next = try Double.fetchOne(db, sql: """
                INSERT INTO send_schedule (id, next_slot) VALUES (1, ?1 + ?2)
                ON CONFLICT (id) DO UPDATE SET next_slot = MAX(next_slot + ?2, excluded.next_slot)
                RETURNING next_slot
                """, arguments: [now, span]) ?? now + span
            return max(0, next - span - now)
        }
    }

    public func pauseDomain(_ domain: String, until: Date) throws(StorageError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO domain_pauses (domain, paused_until) VALUES (?, ?)
                ON CONFLICT (domain) DO UPDATE SET paused_until = MAX(paused_until, excluded.paused_until)
                """, arguments: [domain, until])
            try db.execute(sql: "DELETE FROM domain_pauses WHERE paused_until < ?", arguments: [until.addingTimeInterval(-86_400)])
        }
    }

    public func pausedDomains(now: Date) throws(StorageError) -> [String: Date] {
        try read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT domain, paused_until FROM domain_pauses WHERE paused_until > ?", arguments: [now]).map { ($0[0], $0[1]) },
                       uniquingKeysWith: max)
        }
    }
}
