import NIOCore
import Synchronization

/// The connections open now, against `http.max_connections`. At the cap, a new connection makes room by closing
/// the one that has waited longest for a request (its head or body still arriving, or idle between requests),
/// if that one has waited more than `grace`: a client that sends a byte a second from more connections than the
/// cap then cannot keep everyone else out until its connections time out. When no connection has waited that
/// long (all are being answered, or just opened), the new one is refused (`RefusedConnection`) and never
/// reaches the HTTP handlers.
final class OpenConnections: Sendable {
    /// A request's head and body arrive within milliseconds from a client that means to send them; an attacker
    /// that keeps all its connections younger than this must open `limit` of them every half second.
    static let grace = TimeAmount.milliseconds(500)

    let limit: Int

    private struct Entry {
        let channel: any Channel
        /// Since when the connection has been waiting for (the rest of) a request; nil while one is answered.
        var waitingSince: NIODeadline?
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { entries.withLock { $0.count } }

    /// Counts the channel until it closes, making room at the cap; false when it must be refused.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let now = NIODeadline.now()
        let (admitted, evicted) = entries.withLock { entries -> (Bool, (any Channel)?) in
            var evicted: (any Channel)?
            if entries.count >= limit, let oldest = Self.longestWaiting(in: entries, before: now - Self.grace) {
                evicted = entries.removeValue(forKey: oldest)?.channel
            }
            guard entries.count < limit else { return (false, nil) }
            entries[id] = Entry(channel: channel, waitingSince: now)
            return (true, evicted)
        }
        evicted?.close(promise: nil)
        if admitted {
            channel.closeFuture.whenComplete { [self] _ in
                entries.withLock { entries in
                    if entries[id]?.channel === channel { entries[id] = nil }
                }
            }
        }
        return admitted
    }

    /// The connection waits for a request from `since` on, or (nil) is being answered and may not be closed.
    func waiting(_ channel: any Channel, since: NIODeadline?) {
        let id = ObjectIdentifier(channel)
        entries.withLock { entries in
            if entries[id]?.channel === channel { entries[id]?.waitingSince = since }
        }
    }

    /// A linear scan: it runs only at the cap, over at most `limit` entries.
    private static func longestWaiting(in entries: [ObjectIdentifier: Entry], before cutoff: NIODeadline) -> ObjectIdentifier? {
        var oldest: (id: ObjectIdentifier, since: NIODeadline)?
        for (id, entry) in entries {
            guard let since = entry.waitingSince, since <= cutoff, since < oldest?.since ?? .distantFuture else { continue }
            oldest = (id, since)
        }
        return oldest?.id
    }
}
