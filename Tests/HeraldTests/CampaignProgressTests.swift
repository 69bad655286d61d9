import Foundation
import Store
import Testing
@testable import Herald

/// What the console shows of a campaign's progress and of its outcome over time: counts, a percentage, an
/// average rate, and stretches of whole seconds, minutes, hours or days.
@Suite struct CampaignProgressTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func report(status: CampaignStatus, counts: CampaignReport.Counts, finishedAfter: TimeInterval? = nil) -> CampaignReport {
        CampaignReport(id: 7, name: "n", kind: .promotion, template: "t", segment: nil, status: status, dueAt: start, createdAt: start,
                       startedAt: start, finishedAt: finishedAfter.map { start.addingTimeInterval($0) }, policyVersion: nil, problem: nil, counts: counts)
    }

    @Test func progressCountsFinishedMessagesAndAveragesTheRateOverTheRun() {
        var counts = CampaignReport.Counts()
        (counts.queued, counts.sending, counts.sent, counts.deferred, counts.bounced, counts.failed) = (30, 10, 50, 4, 3, 3)
        let sending = CampaignProgress(report(status: .sending, counts: counts), now: start.addingTimeInterval(120))
        #expect(sending.waiting == 40 && sending.total == 100 && sending.finished == 56 && sending.percent == 56)
        #expect(sending.sentPerMinute == 25 && sending.rateText == "25/min", "50 sent in two minutes")
        counts = CampaignReport.Counts()
        counts.sent = 90_000
        let done = CampaignProgress(report(status: .done, counts: counts, finishedAfter: 60), now: start.addingTimeInterval(86_400))
        #expect(done.sentPerMinute == 90_000 && done.rateText == "90,000/min", "a finished campaign's rate is over its run, not until now")
        let quick = CampaignProgress(report(status: .done, counts: counts, finishedAfter: 0.2), now: start)
        #expect(quick.sentPerMinute == 5_400_000, "under a second counts as one")
        #expect(CampaignProgress(report(status: .sending, counts: CampaignReport.Counts()), now: start).sentPerMinute == nil)
        #expect(CampaignProgress(report(status: .sending, counts: CampaignReport.Counts()), now: start).rateText == "–")
    }

    @Test func stretchesAreRoundAndHoldEveryAttempt() {
        #expect(CampaignTimeline.stretchSeconds(span: 0.3, wanted: 40) == 1)
        #expect(CampaignTimeline.stretchSeconds(span: 400, wanted: 40) == 10)
        #expect(CampaignTimeline.stretchSeconds(span: 3600, wanted: 40) == 120, "90 s rounds up to two minutes")
        #expect(CampaignTimeline.stretchSeconds(span: 10 * 86_400, wanted: 40) == 21_600)
        #expect(CampaignTimeline.stretchSeconds(span: 100 * 86_400, wanted: 40) == 3 * 86_400)
        let buckets = [AttemptBucket(index: 0, state: .sent, count: 5), AttemptBucket(index: 0, state: .deferred, count: 1),
                       AttemptBucket(index: 4, state: .sent, count: 2)]
        let timeline = CampaignTimeline(from: start, to: start.addingTimeInterval(30), buckets: buckets, stretchSeconds: 10)
        #expect(timeline.stretches.count == 5, "three stretches for the span, and as many more as a late attempt needs")
        #expect(timeline.stretches.map(\.total) == [6, 0, 0, 0, 2] && timeline.attempts == 8)
        #expect(timeline.stretches[4].start == start.addingTimeInterval(40))
    }
}
