import NIOCore

/// Closes a connection that takes too long to send its request: its head within `header` of its first byte (of
/// the connection's opening, for the first request), its body within `body` of the head, and the next request
/// within `idle` of the last answer. Each is a deadline for the whole step, not for a pause between reads, so a
/// client sending a byte a second is closed on time. Hummingbird's own idle timeout counts from the last
/// decoded part and so never fires while a head trickles in.
///
/// It sits first in the pipeline and sees raw bytes (where a request starts); `RequestProgress`, after the
/// HTTP decoder, tells it where a head and a body end and where an answer ends. While an answer is being made
/// nothing is timed here: the work a request may cause is bounded elsewhere (`BlockingAdmission`).
final class ConnectionDeadlines: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    struct Timeouts: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
    }

    private enum Step { case head, body, answering, idle }

    private let timeouts: Timeouts
    /// Told when the connection waits for a request and when it is being answered (it may make room at the cap).
    private let connections: OpenConnections?
    private var step = Step.head
    private var deadline: NIODeadline?
    private var readingRequest = false
    private var unansweredRequests = 0
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    init(_ timeouts: Timeouts, connections: OpenConnections? = nil) {
        self.timeouts = timeouts
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { enter(.head) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil { enter(.head) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The first byte after an answer starts the next request's head: from now on the header timeout runs.
        if step == .idle { enter(.head) }
        context.fireChannelRead(data)
    }

    func headReceived() {
        readingRequest = true
        unansweredRequests += 1
        enter(.body)
    }

    func requestReceived() {
        readingRequest = false
        enter(unansweredRequests > 0 ? .answering : .idle)
    }

    func answerSent() {
        unansweredRequests = max(unansweredRequests - 1, 0)
        // A pipelined request already being read keeps its own deadline.
        if !readingRequest, unansweredRequests == 0 { enter(.idle) }
    }

    private func enter(_ next: Step) {
        if let channel = context?.channel, next != step, next == .answering || next == .idle {
            connections?.waiting(channel, since: next == .idle ? .now() : nil)
        }
        step = next
        let timeout: TimeAmount? = switch next {
        case .head: timeouts.header
        case .body: timeouts.body
        case .answering: nil
        case .idle: timeouts.idle
        }
        deadline = timeout.map { .now() + $0 }
        arm()
    }

    /// One timer at a time, at or before the deadline; a timer that fires early re-arms for the later deadline.
    private func arm() {
        guard let deadline, let context else { return }
        if let timerDeadline, timerDeadline <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            timerDeadline = nil
            guard let deadline = self.deadline else { return }
            if deadline <= .now() { self.context?.close(promise: nil) } else { arm() }
        }
    }

    private func stop() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        deadline = nil
        context = nil
    }
}
