import NIOCore

/// A connection past `http.max_connections` for which no other made room (`OpenConnections`): it is told 503 (when it has not written yet, so that a client
/// reads a reason rather than a reset) and closed; what it sends is never read into the HTTP handlers.
final class RefusedConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let answer = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    private var closing = false

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(_ context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        let answer = context.channel.allocator.buffer(string: Self.answer)
        context.writeAndFlush(Self.wrapOutboundOut(answer)).assumeIsolatedUnsafeUnchecked().whenComplete { _ in context.close(promise: nil) }
    }
}
