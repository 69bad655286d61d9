import Foundation
import Synchronization

/// Slows down password guessing by the client that guesses, not by the account guessed at: five failed
/// sign-ins from one client within 15 minutes refuse that client's further attempts until the oldest has aged
/// out, while the staff member signs in from anywhere else as usual. Kept in memory only (a client's address
/// is never stored), in a table of at most `capacity` clients: when it is full, the client not heard from for
/// longest is forgotten, so no flood of addresses can grow it.
///
/// An attempt is reserved before its password is checked and settled after, so guesses sent in parallel are
/// all counted.
public final class SignInThrottle: Sendable {
    public static let allowedFailures = 5
    public static let window: TimeInterval = 15 * 60
    public static let defaultCapacity = 10_000

    public enum Admission: Sendable, Equatable {
        case admitted
        /// Too many failures lately: no password is checked for this client for this many seconds.
        case throttled(retryAfter: Int)
    }

    private struct Client {
        /// The failures within the window, oldest first (at most `allowedFailures`).
        var failures: [Date] = []
        /// Attempts admitted and not yet settled.
        var pending = 0
        var lastSeen: Date
    }

    private let capacity: Int
    private let clients = Mutex<[String: Client]>([:])

    public init(capacity: Int = SignInThrottle.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Reserves an attempt for `client`, or says how long it must wait.
    public func admit(_ client: String, now: Date) -> Admission {
        clients.withLock { table in
            var entry = table[client] ?? Client(lastSeen: now)
            entry.failures.removeAll { $0 <= now.addingTimeInterval(-Self.window) }
            if entry.failures.count + entry.pending >= Self.allowedFailures {
                table[client] = entry
                let oldest = entry.failures.first ?? now
                return .throttled(retryAfter: max(1, Int((oldest.addingTimeInterval(Self.window).timeIntervalSince(now)).rounded(.up))))
            }
            entry.pending += 1
            entry.lastSeen = now
            if table[client] == nil, table.count >= capacity { makeRoom(in: &table, now: now) }
            table[client] = entry
            return .admitted
        }
    }

    public enum Outcome: Sendable {
        /// A wrong password: it counts against the client.
        case failed
        /// The right one: the client's failures are forgotten.
        case succeeded
        /// No password was checked after all (the server was too busy): nothing counts.
        case abandoned
    }

    /// Ends an admitted attempt.
    public func settle(_ client: String, _ outcome: Outcome, now: Date) {
        clients.withLock { table in
            guard var entry = table[client] else { return }  // forgotten meanwhile: the table was full
            entry.pending = max(0, entry.pending - 1)
            entry.lastSeen = now
            switch outcome {
            case .failed:
                entry.failures.append(now)
                if entry.failures.count > Self.allowedFailures { entry.failures.removeFirst(entry.failures.count - Self.allowedFailures) }
            case .succeeded: entry.failures.removeAll()
            case .abandoned: break
            }
            if entry.failures.isEmpty, entry.pending == 0 { table[client] = nil } else { table[client] = entry }
        }
    }

    /// How many clients the table holds now.
    public var count: Int { clients.withLock { $0.count } }

    /// Drops clients with nothing left to count, then, down to nine tenths of the capacity, those not heard from
    /// longest: a batch, so that a flood of new addresses costs one sort per tenth of the table, not a scan each.
    private func makeRoom(in table: inout [String: Client], now: Date) {
        let horizon = now.addingTimeInterval(-Self.window)
        let target = capacity - max(1, capacity / 10)
        table = table.filter { $0.value.pending > 0 || $0.value.failures.contains { $0 > horizon } }
        guard table.count > target else { return }
        for client in table.sorted(by: { $0.value.lastSeen < $1.value.lastSeen }).prefix(table.count - target).map(\.key) { table[client] = nil }
    }
}
