import Foundation
import Store

/// One campaign's outcome over time: its delivery attempts counted by outcome in equal stretches of time from
/// its start to its end (or now, while it sends). Counts only; the console draws it as a chart.
public struct CampaignTimeline: Sendable, Equatable {
    public struct Stretch: Sendable, Equatable {
        public var start: Date
        public var counts: [OutboxState: Int]

        public var total: Int { counts.values.reduce(0, +) }
    }

    /// The outcomes an attempt can end in, in the order a chart stacks them.
    public static let outcomes: [OutboxState] = [.sent, .deferred, .bounced, .failed, .skipped]

    public var from: Date
    public var to: Date
    public var stretchSeconds: Int
    public var stretches: [Stretch]

    public var attempts: Int { stretches.reduce(0) { $0 + $1.total } }

    /// A stretch of a whole number of seconds, minutes, hours or days that cuts `span` into at most `wanted`.
    static func stretchSeconds(span: TimeInterval, wanted: Int) -> Int {
        let rough = max(span, 1) / Double(max(wanted, 1))
        let steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
        if let step = steps.first(where: { Double($0) >= rough }) { return step }
        return Int((rough / 86400).rounded(.up)) * 86400
    }

    init(from: Date, to: Date, buckets: [AttemptBucket], stretchSeconds: Int) {
        self.from = from
        self.to = to
        self.stretchSeconds = stretchSeconds
        let span = max(to.timeIntervalSince(from), 1)
        let count = max(Int((span / Double(stretchSeconds)).rounded(.up)), (buckets.map(\.index).max() ?? 0) + 1, 1)
        stretches = (0..<count).map { Stretch(start: from.addingTimeInterval(Double($0 * stretchSeconds)), counts: [:]) }
        for bucket in buckets {
            stretches[bucket.index].counts[bucket.state, default: 0] += bucket.count
        }
    }
}

extension CampaignService {
    /// The outcome over time of the campaign `report` describes (read already: its counts are not read again),
    /// in about `stretches` stretches; nil before it started.
    public func timeline(of report: CampaignReport, stretches wanted: Int = 40) throws(HeraldError) -> CampaignTimeline? {
        guard let started = report.startedAt else { return nil }
        let end = report.finishedAt ?? clock()
        let seconds = CampaignTimeline.stretchSeconds(span: end.timeIntervalSince(started), wanted: wanted)
        let buckets = try storage { () throws(StorageError) in try store.attemptTimeline(campaignID: report.id, from: started, bucketSeconds: seconds) }
        return CampaignTimeline(from: started, to: end, buckets: buckets, stretchSeconds: seconds)
    }
}
