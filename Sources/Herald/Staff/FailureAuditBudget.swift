import Foundation
import Synchronization

/// How many failed sign-ins of one account (or of all unknown addresses, under one key) reach the audit log in
/// an hour. The log is append-only, so an attacker who rotates client addresses past the per-client throttle
/// must not be able to grow it without bound; the keys are existing accounts and one word, never a typed text.
public final class FailureAuditBudget: Sendable {
    private struct Window {
        var start: Date
        var count: Int
    }

    private let perHour: Int
    private let windows = Mutex<[String: Window]>([:])

    public init(perHour: Int) {
        self.perHour = perHour
    }

    /// Whether one more failure for `key` may be written now (and counts it if so).
    func admit(_ key: String, now: Date) -> Bool {
        windows.withLock { windows in
            var window = windows[key] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(window.start) >= 3600 || now < window.start { window = Window(start: now, count: 0) }
            guard window.count < perHour else { return false }
            window.count += 1
            windows[key] = window
            return true
        }
    }
}
