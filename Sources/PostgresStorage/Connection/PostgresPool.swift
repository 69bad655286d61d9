import Foundation
import Store

/// Connections to one server, reused: a caller takes one for the length of a call (one business read or write)
/// and gives it back. At most `maximum` are open at once; a caller past that waits for one to come back. A
/// connection that broke (the server restarted, the network dropped) is closed instead of given back, so the
/// next call opens a fresh one: reconnecting needs nothing from the caller but a retry.
final class PostgresPool: @unchecked Sendable {
    let settings: PostgresSettings
    let maximum: Int
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private let slots: DispatchSemaphore

    init(settings: PostgresSettings, maximum: Int) {
        self.settings = settings
        self.maximum = maximum
        self.slots = DispatchSemaphore(value: maximum)
    }

    /// An idle connection may have broken since it was last used (the server restarted, a firewall dropped it)
    /// without libpq knowing yet: if its first statement fails on a broken connection, nothing reached the
    /// server, and the call runs once more on a fresh connection.
    func withConnection<T>(_ body: (PostgresConnection) throws(StorageError) -> T) throws(StorageError) -> T {
        slots.wait()
        defer { slots.signal() }
        lock.lock()
        let reused = idle.popLast()
        lock.unlock()
        if let reused {
            let before = reused.succeeded
            do { return try run(body, on: reused) } catch {
                guard !reused.isHealthy, reused.succeeded == before else { throw error }
            }
        }
        return try run(body, on: PostgresConnection(settings))
    }

    private func run<T>(_ body: (PostgresConnection) throws(StorageError) -> T, on connection: PostgresConnection) throws(StorageError) -> T {
        defer {
            if connection.isHealthy {
                lock.lock()
                idle.append(connection)
                lock.unlock()
            }
        }
        return try body(connection)
    }

    /// `body` in one transaction on a pooled connection.
    func transaction<T>(_ body: (PostgresConnection) throws(StorageError) -> T) throws(StorageError) -> T {
        try withConnection { (connection) throws(StorageError) in try connection.transaction(body) }
    }
}
