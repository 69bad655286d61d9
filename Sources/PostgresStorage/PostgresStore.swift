import Foundation
import Store

/// The consent store on a PostgreSQL server, for many workers on many machines sharing one store.
///
/// Work in progress (Step 8): what is here opens the pool and creates or migrates the schema (the same numbered
/// migrations as SQLite's, `PostgresMigrations`); the store's protocols (`HeraldStore`) are not implemented yet,
/// so the application does not offer PostgreSQL until they are.
public final class PostgresStore: Sendable {
    let pool: PostgresPool

    /// Connects (the first connection proves the URL and the password) and migrates the schema.
    public init(settings: PostgresSettings, connections: Int = 8) throws(StorageError) {
        pool = PostgresPool(settings: settings, maximum: connections)
        try pool.withConnection { (connection) throws(StorageError) in _ = try PostgresMigrations.migrate(connection) }
    }

    /// The names of the schema migrations applied, oldest first.
    public func appliedMigrations() throws(StorageError) -> [String] {
        try pool.withConnection { (connection) throws(StorageError) in try PostgresMigrations.applied(connection) }
    }

    /// `USER@HOST:PORT/DATABASE`, never the password.
    public var server: String { pool.settings.description }
}
