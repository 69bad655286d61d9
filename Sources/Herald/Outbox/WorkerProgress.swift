import Store
import Foundation

/// Running totals of a worker's work, reported after every batch.
public struct WorkerProgress: Sendable, Equatable, Codable {
    public var campaignsStarted = 0
    public var queued = 0
    public var sent = 0
    public var deferred = 0
    public var bounced = 0
    public var skipped = 0
    public var failed = 0
    public var elapsedSeconds = 0.0
    /// Why messages were skipped at the last moment, and how many each.
    public var skipReasons: [String: Int] = [:]

    public var attempted: Int { sent + deferred + bounced + skipped + failed }

    public var messagesPerSecond: Double {
        elapsedSeconds > 0 ? Double(sent) / elapsedSeconds : 0
    }

    mutating func count(_ outcome: JobOutcomeSummary) {
        switch outcome.state {
        case .sent: sent += 1
        case .deferred: deferred += 1
        case .bounced: bounced += 1
        case .skipped:
            skipped += 1
            if let reason = outcome.reason { skipReasons[reason, default: 0] += 1 }
        case .failed: failed += 1
        case .queued, .sending: break
        }
    }
}

struct JobOutcomeSummary {
    var state: OutboxState
    var reason: String?
}

