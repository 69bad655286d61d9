import Hummingbird
import NIOCore

/// The address of the connection a request came on, for the routes that throttle by client (console sign-in).
/// Hummingbird's `BasicRequestContext` does not keep the channel, so the server's responder is wrapped: the
/// wrapper's own context reads the channel's remote address, and the routes, still on `BasicRequestContext`,
/// read it from a task-local value set around each request. Nothing stores or logs it.
enum RemotePeer {
    @TaskLocal static var address: String?

    /// The address for the request being handled now; read it before leaving the request's task (`blocking`).
    static var current: String? { address }
}

/// The application's request context: Hummingbird's basic one plus the connection's remote address.
struct PeerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: String?
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
        channel = source.channel
    }

    /// The context the routes take, for the same connection.
    var basic: BasicRequestContext {
        BasicRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
    }
}

/// Builds the router's responder behind one that knows the peer's address.
struct PeerAwareRouter: HTTPResponderBuilder {
    let router: Router<BasicRequestContext>

    func buildResponder() -> Responder {
        Responder(inner: router.buildResponder())
    }

    struct Responder: HTTPResponder {
        let inner: RouterResponder<BasicRequestContext>

        func respond(to request: Request, context: PeerRequestContext) async throws -> Response {
            try await RemotePeer.$address.withValue(context.remoteAddress) {
                try await inner.respond(to: request, context: context.basic)
            }
        }
    }
}
