import Foundation
import GRDB

/// Herald's database: the consent store, campaigns and the outbox in one SQLite file (WAL mode).
///
/// Every public method is one business write or read, and every write is one transaction that leaves the
/// invariants intact (GRDB's AppDatabase pattern). The application never sees SQL or GRDB.
public final class HeraldStore: Sendable {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the database file and brings its schema up to date.
    public init(path: String) throws(StorageError) {
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.writer = try DatabasePool(path: path, configuration: Self.configuration)
            try Migrations.migrator.migrate(writer)
        } catch {
            throw StorageError(path: path, underlying: error)
        }
    }

    /// A private in-memory database, for tests.
    public init(inMemory: Void = ()) throws(StorageError) {
        do {
            self.writer = try DatabaseQueue(configuration: Self.configuration)
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
}
