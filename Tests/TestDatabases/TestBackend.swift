import Foundation
import PostgresStorage
import Storage
import Store

/// The store's backends, for tests that must hold on both: `@Test(arguments: TestBackend.allCases)`.
public enum TestBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// An empty store: SQLite in memory, or a database of its own on the test run's PostgreSQL cluster.
    public func makeStore() throws -> any HeraldStore {
        switch self {
        case .sqlite: try SQLiteStore()
        case .postgres: try PostgresStore(settings: PostgresCluster.shared.freshDatabase(), connections: 4)
        }
    }

    /// What a configuration file says for `database:` (an SQLite file in `folder`, or a fresh PostgreSQL
    /// database's URL) and the environment the process needs to reach it (the password).
    public func database(in folder: URL) throws -> (value: String, environment: [String: String]) {
        switch self {
        case .sqlite:
            return (folder.appendingPathComponent("herald.sqlite").path, [:])
        case .postgres:
            let cluster = PostgresCluster.shared
            return (cluster.url(database: try cluster.freshDatabaseName()), ["HERALD_DATABASE_PASSWORD": cluster.password])
        }
    }
}
