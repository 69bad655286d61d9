import Foundation
import Store
import Synchronization
import Testing
@testable import Herald

/// `smtp.rate` and `smtp.domain_concurrency`, and the pause a "slow down" reply puts on a domain.
struct ThrottlingTests {
    func job(_ id: Int64, _ email: String) -> ClaimedJob {
        ClaimedJob(jobID: id, campaignID: 1, campaignName: "c", kind: .promotion, template: "t", recipientID: id,
                   email: email, name: nil, products: [], attempt: 1, queuedAt: Date(timeIntervalSince1970: 0))
    }

    @Test func theRateIsAScheduleOfStartsThatNeverBursts() {
        let limiter = RateLimiter(perSecond: 10)
        // Three messages at once: the second starts 0.1 s later, the third 0.2 s.
        let waits = [limiter.reserve(now: 100), limiter.reserve(now: 100), limiter.reserve(now: 100)]
        #expect(zip(waits, [0, 0.1, 0.2]).allSatisfy { abs($0 - $1) < 1e-9 }, "\(waits)")
        // A slow server: the next message comes 0.5 s later, past its slot; it goes at once, and the one after
        // waits a full interval, not less.
        #expect(limiter.reserve(now: 100.5) == 0)
        #expect(abs(limiter.reserve(now: 100.5) - 0.1) < 1e-9)
        // Idle for a minute: nothing was saved up, so the next two are again 0.1 s apart.
        let afterIdle = [limiter.reserve(now: 160), limiter.reserve(now: 160)]
        #expect(afterIdle[0] == 0 && abs(afterIdle[1] - 0.1) < 1e-9)
        #expect(RateLimiter(perSecond: 0).reserve(now: 1) == 0)
    }

    /// The fleet's schedule: slots come from the store a block at a time, one after another; a block left unused
    /// for longer than it lasts is given up rather than sent at once, and a sender a little late catches up.
    @Test func aSharedScheduleHandsOutBlocksAndNeverSendsAStaleOneInABurst() {
        let asked = Mutex(0)
        let limiter = RateLimiter(perSecond: 100) { (count, interval) throws(StorageError) in
            asked.withLock { $0 += 1 }
            #expect(count == 10 && abs(interval - 0.01) < 1e-12)
            return 0
        }
        let first = (0..<10).map { _ in limiter.reserve(now: 50) }
        #expect(zip(first, (0..<10).map { Double($0) * 0.01 }).allSatisfy { abs($0 - $1) < 1e-9 }, "\(first)")
        #expect(asked.withLock { $0 } == 1)
        _ = limiter.reserve(now: 50.1)
        #expect(asked.withLock { $0 } == 2, "the eleventh slot is in the next block")
        // Idle for a minute with nine slots of that block unused: they are not sent now in a burst.
        #expect(limiter.reserve(now: 110) == 0)
        #expect(asked.withLock { $0 } == 3)
        #expect(abs(limiter.reserve(now: 110) - 0.01) < 1e-9)
        // A little late (within a block's length): it catches up on its own block rather than waste it.
        #expect(limiter.reserve(now: 110.15) == 0)
        #expect(asked.withLock { $0 } == 3)
    }

    /// An owner the fleet does not know may have beaten after the fleet was read: alive, and its lease expiry
    /// brings its jobs back. A journal on this machine whose owner's process is gone is dead.
    @Test func anUnknownLeaseOwnerIsAliveButAnAbandonedJournalHereIsNot() {
        let fleet = WorkerFleet([], now: Date(), staleAfter: 30)
        #expect(fleet.isAlive("pid:\(Int32.max - 3):1"))
        #expect(!fleet.ranHereIsAlive("pid:\(Int32.max - 3):1"))
        #expect(fleet.ranHereIsAlive("pid:\(getpid()):1"))
    }

    @Test func aDomainNeverHasMoreInFlightThanItsCap() {
        let queue = DeliveryQueue(domainConcurrency: 2)
        queue.add([job(1, "a@big.example"), job(2, "b@big.example"), job(3, "c@big.example"), job(4, "d@other.example")],
                  now: Date())
        let first = queue.take(), second = queue.take(), third = queue.take()
        // The third big.example job waits behind the cap, so the other domain's job goes first.
        #expect([first, second, third].map { $0?.jobID } == [1, 2, 4])
        queue.finish(first!, .unattempted(first!))
        #expect(queue.take()?.jobID == 3)
        #expect(queue.outstanding == 3)
    }

    @Test func theCoordinatorGetsEveryResultWhetherOrNotItWaitedForEnough() {
        let queue = DeliveryQueue(domainConcurrency: 5)
        queue.add([job(1, "a@x.example"), job(2, "b@y.example")], now: Date())
        let taken = [queue.take()!, queue.take()!]
        taken.forEach { queue.finish($0, .unattempted($0)) }
        // It asked for more than there will be: after the wait it still gets the two.
        #expect(queue.takeResults(waitingUpTo: 0.01, atLeast: 8).count == 2)
        #expect(queue.takeResults(waitingUpTo: 0, atLeast: 8).isEmpty)
        #expect(queue.outstanding == 0)
    }

    @Test func aPausedDomainsWaitingJobsComeBackPostponed() {
        let queue = DeliveryQueue(domainConcurrency: 5)
        let now = Date()
        queue.add([job(1, "a@slow.example"), job(2, "b@slow.example"), job(3, "c@fine.example")], now: now)
        let sending = queue.take()!
        queue.pause(domain: "slow.example", until: now.addingTimeInterval(30))
        #expect(queue.pausedUntil(domain: "slow.example", now: now) == now.addingTimeInterval(30))
        #expect(queue.pausedUntil(domain: "slow.example", now: now.addingTimeInterval(31)) == nil)
        // Jobs claimed for it later go straight back too.
        queue.add([job(4, "d@slow.example")], now: now.addingTimeInterval(1))
        let results = queue.takeResults(waitingUpTo: 0)
        let postponed = results.compactMap { result -> Int64? in
            if case .postponed(let job, _) = result { return job.jobID } else { return nil }
        }
        #expect(postponed.sorted() == [2, 4])
        #expect(queue.take()?.jobID == 3)
        queue.finish(sending, .unattempted(sending))
    }
}
