import Foundation
import Store

/// One composed message waiting for its connection: a composer thread prepares the next message while the
/// sender thread's connection is busy with the current one, so the connection never waits for rendering,
/// MIME and signing, which take as long as an SMTP exchange on loopback.
///
/// It holds one message: more would only send stale `Date` headers and hold jobs away from other connections.
final class ComposedHandoff: @unchecked Sendable {
    struct Item {
        let job: ClaimedJob
        /// nil: the sender composes it itself, right before sending.
        let message: MessageComposer.Composed?
    }

    private let condition = NSCondition()
    private var item: Item?
    private var closed = false

    /// Blocks while the previous message is still waiting.
    func put(_ new: Item) {
        condition.lock()
        defer { condition.unlock() }
        while item != nil { condition.wait() }
        item = new
        condition.broadcast()
    }

    /// Blocks until the sender has taken the waiting message.
    func waitUntilEmpty() {
        condition.lock()
        defer { condition.unlock() }
        while item != nil { condition.wait() }
    }

    /// The composer has nothing more to give.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
    }

    /// Blocks until a message is ready; nil once the composer has closed and nothing is left.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while item == nil, !closed { condition.wait() }
        let taken = item
        item = nil
        condition.broadcast()
        return taken
    }
}
