import CLibPQ
import Foundation
import Store

/// `LISTEN herald_work` on a connection of its own: a worker with nothing to do sleeps on the connection's
/// socket and wakes the moment another process commits work (`PostgresStore.notifyWork`), instead of on its
/// next poll. Polling stays as the fallback: a notice lost with a broken connection only costs the wait.
final class PostgresWorkListener: WorkListener {
    private let settings: PostgresSettings
    private var connection: PostgresConnection?

    init(settings: PostgresSettings) throws(StorageError) {
        self.settings = settings
        connection = try listening()
    }

    private func listening() throws(StorageError) -> PostgresConnection {
        let connection = try PostgresConnection(settings)
        try connection.execute("LISTEN \(PostgresStore.workChannel)")
        return connection
    }

    func waitForWork(seconds: Double) throws(StorageError) -> Bool {
        if connection?.isHealthy != true {
            // The server restarted: listen again on a new connection (work committed meanwhile is found by the poll).
            connection = nil
            connection = try listening()
        }
        guard let connection else { return false }
        if drain(connection) { return true }
        var descriptor = pollfd(fd: PQsocket(connection.handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, seconds) * 1000))
        guard ready > 0 else { return false }
        guard PQconsumeInput(connection.handle) == 1 else { return false }
        return drain(connection)
    }

    /// Takes every notice that has arrived; true if there was one.
    private func drain(_ connection: PostgresConnection) -> Bool {
        var woken = false
        while let notice = PQnotifies(connection.handle) {
            woken = true
            PQfreemem(notice)
        }
        return woken
    }
}
