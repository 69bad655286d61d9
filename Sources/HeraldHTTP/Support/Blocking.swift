import Herald
import NIOPosix

/// Herald's services are synchronous (GRDB, SQLite's busy waits): they run on NIO's blocking thread pool,
/// never on an event loop, so a slow write beside a sending worker delays one request, not the server.
/// Within a request the pool is entered through its `AdmissionTicket`: when the pool is full and its queue too,
/// the work is not queued, the ticket is marked and `BusyAnswer` answers 503.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    guard let ticket = AdmissionTicket.current else { return try await NIOThreadPool.singleton.runIfActive(body) }
    guard ticket.admission.enter() else {
        ticket.markRefused()
        throw HeraldError(.unavailable, "the server is busy; try again in a moment")
    }
    defer { ticket.admission.leave() }
    return try await NIOThreadPool.singleton.runIfActive(body)
}
