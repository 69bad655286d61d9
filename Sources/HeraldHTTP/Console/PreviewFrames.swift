import Foundation
import Herald

/// The HTML parts of the workspace's previews, held in memory for a few minutes so that a sandboxed frame can
/// load them by URL (a frame's own Content-Security-Policy comes only with its own answer; `srcdoc` would put the
/// message under the console's policy, where its inline styles are refused). Nothing is written anywhere: an
/// entry is one rendered sample message, for the session that asked, gone after `lifetime` or when `capacity`
/// newer ones came. It also bounds how often one session may ask for a preview.
final class PreviewFrames: @unchecked Sendable {
    struct Frame {
        var owner: String
        var html: String
        var madeAt: Date
    }

    let capacity: Int
    let lifetime: TimeInterval
    /// At most `burst` previews per session in any `window` seconds (a debounced editor asks far less often).
    let burst: Int
    let window: TimeInterval

    private let lock = NSLock()
    private var frames: [String: Frame] = [:]
    private var order: [String] = []
    private var asked: [String: [Date]] = [:]

    init(capacity: Int = 200, lifetime: TimeInterval = 600, burst: Int = 30, window: TimeInterval = 10) {
        self.capacity = capacity
        self.lifetime = lifetime
        self.burst = burst
        self.window = window
    }

    /// Whether `owner` may have another preview now (counted when admitted).
    func admit(_ owner: String, now: Date) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        var times = (asked[owner] ?? []).filter { now.timeIntervalSince($0) < window }
        guard times.count < burst else { return false }
        times.append(now)
        asked[owner] = times
        // Owners who stopped asking are forgotten.
        if asked.count > capacity { asked = asked.filter { $0.value.contains { now.timeIntervalSince($0) < window } } }
        return true
    }

    /// The most one frame keeps, and how many one session keeps: memory stays bounded (`capacity` ×
    /// `maxBytes` at worst), and one session cannot push out everyone else's previews.
    static let maxBytes = 2 * 1024 * 1024
    static let perOwner = 10

    /// Keeps `html` for `owner`; the key to load it by (random, unguessable).
    func keep(_ html: String, for owner: String, now: Date) -> String {
        let key = SecretsGenerator.random(bytes: 16)
        let kept = html.utf8.count <= Self.maxBytes ? html
            : "<!DOCTYPE html><html lang=\"en\"><title>Preview</title><p>This message is larger than 2 MB; send a test to see it.</p></html>"
        lock.lock()
        defer { lock.unlock() }
        let own = order.filter { frames[$0]?.owner == owner }
        for old in own.prefix(max(0, own.count - Self.perOwner + 1)) { frames[old] = nil }
        order.removeAll { frames[$0] == nil }
        frames[key] = Frame(owner: owner, html: kept, madeAt: now)
        order.append(key)
        while order.count > capacity { frames[order.removeFirst()] = nil }
        return key
    }

    /// The HTML kept under `key` for `owner`, while it lasts.
    func html(_ key: String, for owner: String, now: Date) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard let frame = frames[key], frame.owner == owner, now.timeIntervalSince(frame.madeAt) < lifetime else { return nil }
        return frame.html
    }
}
