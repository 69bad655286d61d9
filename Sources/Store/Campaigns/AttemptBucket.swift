import Foundation

/// How many delivery attempts of one campaign ended in one state within one stretch of time: a point of the
/// campaign's outcome over time (`CampaignStore.attemptTimeline`). Counts only, nobody named.
public struct AttemptBucket: Sendable, Equatable {
    /// The stretch: `from + index × bucketSeconds` up to the next one.
    public var index: Int
    public var state: OutboxState
    public var count: Int

    public init(index: Int, state: OutboxState, count: Int) {
        self.index = index
        self.state = state
        self.count = count
    }
}
