/// How one claim of `limit` jobs is split between confirmation mails and campaign jobs when both wait: a flood
/// of registrations cannot hold a campaign up, nor a campaign of a million hold up the confirmation someone is
/// waiting for. Either side that has fewer due leaves the rest of the batch to the other.
public struct ClaimShare: Sendable, Equatable {
    /// At most this many confirmations while campaign jobs wait, and at least this many while campaigns flood.
    public var confirmations: Int
    public var campaignJobs: Int

    /// `confirmationShare` (`register.send_share`) of `limit`, rounded; at least one when the share is above 0,
    /// so a batch of one does not starve confirmations (their number is bounded by the registration limits,
    /// while a campaign's is not), and at least one campaign job when the share is below 1 and the batch has room.
    public init(limit: Int, confirmationShare: Double) {
        let limit = max(0, limit)
        let share = min(1, max(0, confirmationShare))
        var confirmations = Int((Double(limit) * share).rounded())
        if share > 0 { confirmations = max(confirmations, min(1, limit)) }
        if share < 1 && limit > 1 { confirmations = min(confirmations, limit - 1) }
        self.confirmations = confirmations
        self.campaignJobs = limit - confirmations
    }

    /// `register.send_share`'s default: a quarter.
    public static let defaultConfirmationShare = 0.25
}
