import Foundation
import Store

/// How far a campaign has got, in counts only: what the console's dashboard shows and refreshes, and what its
/// live updates carry. The rate is the average since the campaign started (to its end once done); a page that
/// polls can show the rate of the last seconds from two of these.
public struct CampaignProgress: Sendable, Codable, Equatable {
    public var id: Int64
    public var status: CampaignStatus
    /// Queued or being sent right now.
    public var waiting: Int
    public var sent: Int
    public var deferred: Int
    public var bounced: Int
    public var skipped: Int
    public var failed: Int
    public var total: Int
    /// Messages with a final outcome (sent, bounced, skipped or failed), of `total`.
    public var finished: Int
    public var percent: Int
    /// Messages sent per minute, on average since the start; nil before the start or with nothing sent.
    public var sentPerMinute: Double?
    public var updatedAt: Date

    public init(_ report: CampaignReport, now: Date) {
        let counts = report.counts
        id = report.id
        status = report.status
        waiting = counts.queued + counts.sending
        sent = counts.sent
        deferred = counts.deferred
        bounced = counts.bounced
        skipped = counts.skipped
        failed = counts.failed
        total = waiting + sent + deferred + bounced + skipped + failed
        finished = sent + bounced + skipped + failed
        percent = total == 0 ? 0 : finished * 100 / total
        updatedAt = now
        if let started = report.startedAt, sent > 0 {
            // A campaign sent within the same second still has a rate: at least one second counts.
            let elapsed = max((report.finishedAt ?? now).timeIntervalSince(started), 1)
            sentPerMinute = Double(sent) * 60 / elapsed
        }
    }

    /// "1,234/min"; "–" when there is no rate.
    public var rateText: String {
        guard let sentPerMinute else { return "–" }
        return Self.grouped(Int(sentPerMinute.rounded())) + "/min"
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}

extension CampaignService {
    /// The progress of every campaign staff can follow (not the standing confirmation campaign), newest first.
    /// `audiences`: count drafts' and scheduled campaigns' audiences too (the dashboard's page, not its polls).
    public func progress(audiences: Bool = true) throws(HeraldError) -> [(report: CampaignReport, progress: CampaignProgress)] {
        let now = clock()
        // The confirmation campaign's outbox (every double opt-in mail) is not even counted: this runs on each poll.
        return try list(including: { $0.kind != .confirmation }, audiences: audiences).reversed().map { ($0, CampaignProgress($0, now: now)) }
    }
}
