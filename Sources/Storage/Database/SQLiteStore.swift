import Foundation
import GRDB
import Store

/// The embedded backend of the store protocols (`HeraldStore`): the consent store, campaigns and the outbox
/// in one SQLite file (WAL mode), through GRDB over the system libsqlite3.
///
/// Every public method is one business write or read, and every write is one transaction that leaves the
/// invariants intact (GRDB's AppDatabase pattern). The application never sees SQL or GRDB. The SQL is
/// SQLite's dialect (`INSERT OR IGNORE`, `json_each`, `INDEXED BY`, `RETURNING`); a statement with a
/// `-- name:` comment is one a second backend must write in its own.
public final class SQLiteStore: HeraldStore {
    let writer: any DatabaseWriter
    /// The database file; nil for an in-memory store.
    let path: String?

    /// Opens (creating if needed) the database file and brings its schema up to date.
    public init(path: String) throws(StorageError) {
        do {
            // The file holds addresses, names, birth years and staff password hashes: it is made 0600 (and its
            // folder 0700) before SQLite opens it, since SQLite would make it 0644 less the umask and then give
            // the -wal and -shm that same mode. An existing file keeps its mode (`herald serve` warns).
            try PrivateFiles.createDirectory(URL(fileURLWithPath: path).deletingLastPathComponent().path)
            try PrivateFiles.createIfMissing(path)
            let pool = try DatabasePool(path: path, configuration: Self.configuration)
            // GRDB opens WAL databases with synchronous=NORMAL: a commit then survives a crash of the process,
            // not of the machine. A recorded unsubscribe or erasure must survive both before Herald says it is
            // done, so the writer flushes the WAL at every commit (the send path commits in batches, so this
            // costs it a few flushes a second).
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            self.writer = pool
            self.path = path
            try Migrations.migrator.migrate(writer)
        } catch {
            throw StorageError(path: path, underlying: error)
        }
    }

    /// A private in-memory database, for tests.
    public init(inMemory: Void = ()) throws(StorageError) {
        do {
            self.writer = try DatabaseQueue(configuration: Self.configuration)
            self.path = nil
            try Migrations.migrator.migrate(writer)
        } catch {
            throw StorageError(path: ":memory:", underlying: error)
        }
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        // Deleted content is overwritten, not just unlinked: an erased address must not survive in free pages.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    /// The names of the migrations applied, oldest first.
    public func appliedMigrations() throws(StorageError) -> [String] {
        try read { db in try Migrations.migrator.appliedMigrations(db) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StorageError) -> T {
        do { return try writer.read(body) } catch { throw StorageError(underlying: error) }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StorageError) -> T {
        do { return try writer.write(body) } catch { throw StorageError(underlying: error) }
    }

    /// One transaction tuned for bulk writes:
    /// - no foreign-key checks: every child row refers to a parent the same transaction found or inserted,
    ///   so the checks (a parent lookup for each row) could never fail there;
    /// - checkpoints once the WAL holds 128 MiB rather than 4 MiB: the address-hash index's pages change in
    ///   every batch, and each checkpoint copies a page once however many batches changed it;
    /// - a 32 MiB page cache (kept afterwards: shrinking it would drop the pages the next batch needs), so
    ///   the address-hash index of a million people mostly stays in memory.
    /// SQLite ignores some of these inside a transaction, so they are set around it, and set back after.
    func bulkWrite<T>(_ body: (Database) throws -> T) throws(StorageError) -> T {
        do {
            return try writer.writeWithoutTransaction { db in
                let checkpointPages = try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 1000
                try db.execute(sql: "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 32768")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = \(checkpointPages)") }
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw StorageError(underlying: error)
        }
    }
}
