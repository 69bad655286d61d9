import Foundation
import Store

/// The store's protocols (`HeraldStore`) on a PostgreSQL server: one consent store, outbox and campaign list
/// for many workers on many machines and `serve` behind a load balancer.
///
/// Every public method is one business write or read, and every write is one transaction (READ COMMITTED)
/// that leaves the store's invariants intact however many processes write at once: a write about a person
/// first locks that person's row, so two changes of one purpose cannot both read the old state; claims take
/// rows with `FOR UPDATE SKIP LOCKED`, so each job goes to one worker; an outcome is written only while its
/// lease holds. The SQL is PostgreSQL's own, written beside the SQLite backend's statement of the same name
/// (`-- name:`).
public final class PostgresStore: HeraldStore {
    let pool: PostgresPool

    /// Connects (the first connection proves the URL and the password) and creates or migrates the schema.
    /// `connections`: at most this many at once from this process, besides one per sender thread for the
    /// last-moment check and one for wake-ups.
    public init(settings: PostgresSettings, connections: Int = 8) throws(StorageError) {
        pool = PostgresPool(settings: settings, maximum: connections)
        try pool.withConnection { (connection) throws(StorageError) in _ = try PostgresMigrations.migrate(connection) }
    }

    public func appliedMigrations() throws(StorageError) -> [String] {
        try read { (connection) throws(StorageError) in try PostgresMigrations.applied(connection) }
    }

    /// `USER@HOST:PORT/DATABASE`, never the password.
    public var server: String { pool.settings.description }

    /// One read on a pooled connection (each statement sees what was committed before it began).
    @discardableResult
    func read<T>(_ body: (PostgresConnection) throws(StorageError) -> T) throws(StorageError) -> T {
        try pool.withConnection(body)
    }

    /// One transaction on a pooled connection. A transaction PostgreSQL aborted to break a deadlock left
    /// nothing behind, so it runs again (twice at most).
    @discardableResult
    func write<T>(_ body: (PostgresConnection) throws(StorageError) -> T) throws(StorageError) -> T {
        var attempt = 0
        while true {
            do { return try pool.transaction(body) } catch {
                attempt += 1
                guard error.message.hasSuffix("(SQLSTATE \(Self.deadlockDetected))"), attempt < 3 else { throw error }
            }
        }
    }

    static let deadlockDetected = "40P01"

    /// Several reads that must agree with each other, in one snapshot.
    func snapshot<T>(_ body: (PostgresConnection) throws(StorageError) -> T) throws(StorageError) -> T {
        try read { (db) throws(StorageError) in
            try db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { try? db.execute("COMMIT") }
            return try body(db)
        }
    }

    /// Locks people's rows, in id order (two transactions locking the same people never wait on each other in
    /// a circle), for the rest of the transaction. Returns the address hash of each id that exists.
    static func lock(recipients ids: [Int64], in connection: PostgresConnection) throws(StorageError) -> [Int64: Data] {
        guard !ids.isEmpty else { return [:] }
        let rows = try connection.query("SELECT id, address_hash FROM recipients WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE",
                                        [.integers(Array(Set(ids)))])
        var hashes: [Int64: Data] = [:]
        for row in rows { if let id = row.integer(0), let hash = row.bytes(1) { hashes[id] = hash } }
        return hashes
    }
}
