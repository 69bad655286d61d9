import Foundation

/// Campaigns, from scheduled to done, and what became of each of their recipients.
public protocol CampaignStore: Sendable {
    /// Records a new campaign and returns it with its id.
    func createCampaign(_ campaign: Campaign) throws(StorageError) -> Campaign
    func campaign(id: Int64) throws(StorageError) -> Campaign?
    /// Oldest first.
    func campaigns() throws(StorageError) -> [Campaign]
    /// The number of outbox jobs of a campaign in each state; states with none are absent.
    func outboxCounts(campaignID: Int64) throws(StorageError) -> [OutboxState: Int]

    /// Starts every scheduled campaign that is due, in one transaction per campaign, as `plan` says: one `queued`
    /// job per person in its audience (nil: nobody) that is not suppressed, and the campaign becomes `sending`,
    /// or `done` at once with nobody to send to; or `failed` with its problem and no job at all. A campaign
    /// cancelled or started by another worker meanwhile is left alone. Returns each campaign started with its
    /// number of jobs.
    func startDueCampaigns(now: Date, plan: (Campaign) -> CampaignStart) throws(StorageError) -> [(campaign: Campaign, jobs: Int)]

    /// Cancels a scheduled or sending campaign; its `queued` and `deferred` jobs become `skipped` (jobs in
    /// `sending` are stopped by the last-moment check). Returns how many were skipped, or nil when the campaign
    /// had already finished or been cancelled.
    func cancelCampaign(id: Int64, now: Date) throws(StorageError) -> Int?

    /// Puts a started campaign's `failed` and `deferred` jobs back in the queue, due now, with attempts and age
    /// counted afresh; a `done` campaign is `sending` again. Returns how many were queued, or nil when the
    /// campaign is cancelled or not started.
    /// A `failed` campaign (it never queued anyone) becomes `scheduled`, due now, and 0 is returned.
    func retryCampaign(id: Int64, now: Date) throws(StorageError) -> Int?

    /// Writes a draft's or a not-yet-started campaign's name, template, segment, due time, words and status
    /// (`draft` or `scheduled`), in one statement that holds only while its status is still `expecting` (the
    /// status the change was made from): a worker that started it meanwhile wins, and so does another editor
    /// who scheduled it. Returns the campaign as stored, or nil when it has moved on or does not exist.
    func updateCampaign(_ campaign: Campaign, expecting: CampaignStatus) throws(StorageError) -> Campaign?

    /// Saves (or replaces) a named segment.
    func saveSegment(_ segment: SavedSegment) throws(StorageError)
    /// Sorted by name.
    func savedSegments() throws(StorageError) -> [SavedSegment]
    /// False when there was none of that name.
    func removeSegment(named name: String) throws(StorageError) -> Bool

    /// Counts unsubscribes that came through links of this campaign (a number per campaign, no one named).
    func countUnsubscribes(campaignID: Int64, count: Int) throws(StorageError)
    func unsubscribeCount(campaignID: Int64) throws(StorageError) -> Int

    /// How many people `audience` reaches now: the count a campaign's start would queue (a count, no one named).
    func audienceSize(_ audience: Audience) throws(StorageError) -> Int

    /// The campaign's deferred, bounced, failed and skipped jobs with the last reply of each, oldest first.
    func problems(campaignID: Int64, limit: Int) throws(StorageError) -> [JobProblem]

    /// The campaign's delivery attempts, counted by outcome in stretches of `bucketSeconds` from `from` (index 0
    /// starts there; an attempt before `from` counts in stretch 0): its outcome over time.
    func attemptTimeline(campaignID: Int64, from: Date, bucketSeconds: Int) throws(StorageError) -> [AttemptBucket]
}
