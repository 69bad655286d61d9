import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 channel with what an open port needs in front of it: a cap on open connections and
/// deadlines for each step of a request (`ConnectionDeadlines`). Hummingbird configures neither, and its idle
/// timeout alone lets a client that sends a byte a second hold a connection for ever.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let responder: HTTPChannelHandler.Responder
    let connections: OpenConnections
    let timeouts: ConnectionDeadlines.Timeouts

    /// As `Application(server:)` takes it.
    static func builder(connections: OpenConnections, timeouts: ConnectionDeadlines.Timeouts) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in GuardedHTTP1Channel(responder: responder, connections: connections, timeouts: timeouts) }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = connections.admit(channel)
        return channel.eventLoop.makeCompletedFuture { [timeouts, connections] in
            if !admitted { try channel.pipeline.syncOperations.addHandler(RefusedConnection()) }
            let deadlines = ConnectionDeadlines(timeouts, connections: connections)
            try channel.pipeline.syncOperations.addHandler(deadlines)
            return NIOLoopBound(RequestProgress(deadlines), eventLoop: channel.eventLoop)
        }.flatMap { [responder] (progress: NIOLoopBound<RequestProgress>) -> EventLoopFuture<Value> in
            // The rest is Hummingbird's own pipeline, with the handler that reports each request's progress.
            HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [progress.value]))
                .setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await HTTP1Channel(responder: responder).handle(value: value, logger: logger)
    }
}
