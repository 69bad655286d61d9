import NIOPosix

/// Herald's services are synchronous (GRDB, SQLite's busy waits): they run on NIO's blocking thread pool,
/// never on an event loop, so a slow write beside a sending worker delays one request, not the server.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}
