import Foundation
import GRDB
import Synchronization
import Testing
import Store
@testable import Storage
import TestDatabases

/// The store's promises, one suite run against both backends: SQLite (in memory) and PostgreSQL (a database
/// of its own on the test run's cluster).
@Suite struct StoreSuiteTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func person(_ email: String, hash: UInt8, products: [String] = []) -> NewRecipient {
        NewRecipient(email: email, addressHash: Data(repeating: hash, count: 32), name: nil, birthYear: nil, products: products, source: "test")
    }

    func grant(_ purpose: Purpose, _ granted: Bool = true, at date: Date? = nil) -> ConsentChange {
        ConsentChange(purpose: purpose, granted: granted, source: "test", at: date ?? now)
    }

    @Test(arguments: TestBackend.allCases) func ledgerAndCurrentStateMoveTogether(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let written = try store.register(person("ada@example.com", hash: 1), consents: [grant(.productNews)], lifting: [], at: now)
        let id = written.recipient.id!
        #expect(written.created && written.consentChanges == 1)
        #expect(try store.applyConsent(grant(.productNews, false), recipientID: id, lifting: []))
        #expect(try !store.applyConsent(grant(.productNews, false), recipientID: id, lifting: []), "repeating a state records nothing")
        #expect(try !store.applyConsent(grant(.promotions, false), recipientID: id, lifting: []), "revoking what was never granted records nothing")
        #expect(try store.ledger(ofRecipient: id).map(\.action) == [.grant, .revoke])
        #expect(try store.consents(ofRecipient: id).map(\.granted) == [false])
        let again = try store.register(person("ada@example.com", hash: 1), consents: [], lifting: [], at: now)
        #expect(!again.created && again.recipient.id == id)
    }

    @Test(arguments: TestBackend.allCases) func campaignQueuesEachEligiblePersonOnce(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        _ = try store.register(person("a@example.com", hash: 1, products: ["kronos"]), consents: [grant(.productNews)], lifting: [], at: now)
        _ = try store.register(person("b@example.com", hash: 2, products: ["minilogue"]), consents: [grant(.productNews)], lifting: [], at: now)
        _ = try store.register(person("c@example.com", hash: 3, products: ["kronos"]), consents: [grant(.promotions)], lifting: [], at: now)
        _ = try store.register(person("d@example.com", hash: 4, products: ["kronos"]), consents: [grant(.productNews)], lifting: [], at: now)
        _ = try store.suppress(addressHash: Data(repeating: 4, count: 32), reason: .manual, at: now)
        let campaign = try store.createCampaign(Campaign(name: "n", kind: .productNews, template: "t", segment: nil, dueAt: now, createdAt: now))
        let audience = Audience(purpose: .productNews, anyOfProducts: ["kronos"])
        #expect(try store.audienceSize(audience) == 1, "the count the console shows is the start's")
        #expect(try store.productNames() == ["kronos", "minilogue"])
        #expect(try store.audienceSize(Audience(purpose: .productNews, anyOfProducts: nil)) == 2)
        let started = try store.startDueCampaigns(now: now) { _ in .send(audience) }
        #expect(started.map(\.1) == [1])
        // Starting again (say, after a crash mid-start) cannot duplicate a (campaign, recipient) row.
        if let sqlite = store as? SQLiteStore {
            try sqlite.write { db in try db.execute(sql: "UPDATE campaigns SET status = 'scheduled'") }
            _ = try store.startDueCampaigns(now: now) { _ in .send(audience) }
        }
        // Another worker starting it a moment later finds it started.
        #expect(try store.startDueCampaigns(now: now) { _ in .send(audience) }.isEmpty)
        #expect(try store.outboxCounts(campaignID: campaign.id!) == [.queued: 1])
    }

    @Test(arguments: TestBackend.allCases) func anExpiredLeaseComesBackAndARecordedOutcomeIsFinal(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        _ = try store.register(person("a@example.com", hash: 1), consents: [grant(.promotions)], lifting: [], at: now)
        let campaign = try store.createCampaign(Campaign(name: "n", kind: .promotion, template: "t", segment: nil, dueAt: now, createdAt: now))
        _ = try store.startDueCampaigns(now: now) { _ in .send(Audience(purpose: .promotions, anyOfProducts: nil)) }
        let first = try store.claimJobs(now: now, limit: 10, leaseUntil: now.addingTimeInterval(60), owner: "test")
        #expect(first.count == 1 && first[0].attempt == 1)
        #expect(try store.claimJobs(now: now.addingTimeInterval(30), limit: 10, leaseUntil: now.addingTimeInterval(90), owner: "test").isEmpty)
        // The worker that held it died: after the lease, it is claimed again.
        let reclaimed = try store.claimJobs(now: now.addingTimeInterval(61), limit: 10, leaseUntil: now.addingTimeInterval(200), owner: "test")
        #expect(reclaimed.map(\.jobID) == first.map(\.jobID) && reclaimed[0].attempt == 2)
        // The first worker comes back late: its lease is gone, so its outcome is not recorded.
        try store.record([JobOutcome(jobID: first[0].jobID, state: .sent, code: 250, lease: first[0].leaseUntil)], now: now.addingTimeInterval(62))
        #expect(try store.outboxCounts(campaignID: campaign.id!) == [.sending: 1])
        try store.record([JobOutcome(jobID: first[0].jobID, state: .bounced, code: 550, enhancedStatus: "5.1.1", reply: "no such user",
                                     suppressAs: .bounced, lease: reclaimed[0].leaseUntil)], now: now.addingTimeInterval(62))
        #expect(try store.outboxCounts(campaignID: campaign.id!) == [.bounced: 1])
        #expect(try store.campaign(id: campaign.id!)?.status == .done)
        #expect(try store.suppressionReason(addressHash: Data(repeating: 1, count: 32)) == .bounced)
        #expect(try store.nextWakeUp() == nil)
    }

    /// A store with `people` who granted promotions (p1@example.com, ...) and a started promotion campaign to them.
    func startedPromotion(_ backend: TestBackend, people: Int) throws -> (HeraldStore, Campaign) {
        let store = try backend.makeStore()
        for index in 1...people {
            _ = try store.register(person("p\(index)@example.com", hash: UInt8(index)), consents: [grant(.promotions)], lifting: [], at: now)
        }
        let campaign = try store.createCampaign(Campaign(name: "n", kind: .promotion, template: "t", segment: nil, dueAt: now, createdAt: now))
        _ = try store.startDueCampaigns(now: now) { _ in .send(Audience(purpose: .promotions, anyOfProducts: nil)) }
        return (store, campaign)
    }

    @Test(arguments: TestBackend.allCases) func cancellingSkipsWhatWaitsAndRetryingRequeuesOnlyFailures(_ backend: TestBackend) throws {
        let (store, campaign) = try startedPromotion(backend, people: 3)
        let claimed = try store.claimJobs(now: now, limit: 2, leaseUntil: now.addingTimeInterval(60), owner: "test")
        try store.record([JobOutcome(jobID: claimed[0].jobID, state: .failed, code: 451, reply: "gave up", lease: claimed[0].leaseUntil),
                          JobOutcome(jobID: claimed[1].jobID, state: .sent, code: 250, lease: claimed[1].leaseUntil)], now: now)
        // Retry: only the failure goes back, with its attempts counted afresh; the sent one stays sent.
        #expect(try store.retryCampaign(id: campaign.id!, now: now) == 1)
        #expect(try store.outboxCounts(campaignID: campaign.id!) == [.queued: 2, .sent: 1])
        #expect(try store.problems(campaignID: campaign.id!, limit: 10).isEmpty)
        // Cancel: what waits is skipped, nothing is claimable, and a cancelled campaign cannot be retried.
        #expect(try store.cancelCampaign(id: campaign.id!, now: now) == 2)
        #expect(try store.outboxCounts(campaignID: campaign.id!) == [.skipped: 2, .sent: 1])
        #expect(try store.claimJobs(now: now.addingTimeInterval(3600), limit: 10, leaseUntil: now.addingTimeInterval(3700), owner: "test").isEmpty)
        #expect(try store.retryCampaign(id: campaign.id!, now: now) == nil)
        #expect(try store.cancelCampaign(id: campaign.id!, now: now) == nil)
    }

    @Test(arguments: TestBackend.allCases) func aCampaignWithNobodyToSendToIsDoneAtOnce(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let campaign = try store.createCampaign(Campaign(name: "n", kind: .promotion, template: "t", segment: nil, dueAt: now, createdAt: now))
        _ = try store.startDueCampaigns(now: now) { _ in .send(Audience(purpose: .promotions, anyOfProducts: nil)) }
        #expect(try store.campaign(id: campaign.id!)?.status == .done)
        #expect(try store.nextWakeUp() == nil)
    }

    @Test(arguments: TestBackend.allCases) func releasedJobsReturnWithoutUsingAnAttempt(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        _ = try store.register(person("a@example.com", hash: 1), consents: [grant(.promotions)], lifting: [], at: now)
        _ = try store.createCampaign(Campaign(name: "n", kind: .promotion, template: "t", segment: nil, dueAt: now, createdAt: now))
        _ = try store.startDueCampaigns(now: now) { _ in .send(Audience(purpose: .promotions, anyOfProducts: nil)) }
        let claimed = try store.claimJobs(now: now, limit: 10, leaseUntil: now.addingTimeInterval(60), owner: "test")
        try store.release(claimed)
        let again = try store.claimJobs(now: now, limit: 10, leaseUntil: now.addingTimeInterval(60), owner: "test")
        #expect(again.first?.attempt == 1)
        // Postponed: back without an attempt, but not due before the pause ends.
        try store.postpone(again, until: now.addingTimeInterval(300))
        #expect(try store.claimJobs(now: now.addingTimeInterval(299), limit: 10, leaseUntil: now.addingTimeInterval(400), owner: "test").isEmpty)
        #expect(try store.claimJobs(now: now.addingTimeInterval(300), limit: 10, leaseUntil: now.addingTimeInterval(400), owner: "test").first?.attempt == 1)
    }

    @Test(arguments: TestBackend.allCases) func aDeadWorkersLeasesComeBackAtOnceALiveOnesStay(_ backend: TestBackend) throws {
        let (store, campaign) = try startedPromotion(backend, people: 4)
        let lease = now.addingTimeInterval(600)
        #expect(try store.claimJobs(now: now, limit: 2, leaseUntil: lease, owner: "dead").count == 2)
        #expect(try store.claimJobs(now: now, limit: 2, leaseUntil: lease, owner: "alive").count == 2)
        #expect(try store.reclaimAbandoned(now: now, isAlive: { $0 == "alive" }, accepted: [:]).reclaimed == 2)
        let again = try store.claimJobs(now: now, limit: 10, leaseUntil: lease, owner: "next")
        // The dead worker's attempt stays counted: its message may have gone out.
        #expect(again.count == 2 && again.allSatisfy { $0.attempt == 2 })
        #expect(try store.outboxCounts(campaignID: campaign.id!) == [.sending: 4])
    }

    @Test(arguments: TestBackend.allCases) func aDeadWorkersAcceptedJobsAreRecordedSentBeforeTheRestComeBack(_ backend: TestBackend) throws {
        let (store, campaign) = try startedPromotion(backend, people: 4)
        let lease = now.addingTimeInterval(600)
        let dead = try store.claimJobs(now: now, limit: 2, leaseUntil: lease, owner: "dead")
        let alive = try store.claimJobs(now: now, limit: 2, leaseUntil: lease, owner: "alive")
        func accepted(_ job: ClaimedJob) -> JobOutcome {
            JobOutcome(jobID: job.jobID, state: .sent, code: 250, enhancedStatus: "2.0.0", reply: "250 2.0.0 queued")
        }
        // The dead worker's journal names one of its jobs, and (wrongly) one of the live worker's: only its own counts.
        let taken = try store.reclaimAbandoned(now: now, isAlive: { $0 == "alive" },
                                               accepted: ["dead": [accepted(dead[0]), accepted(alive[0])], "alive": [accepted(alive[1])]])
        #expect(taken.recorded == 1 && taken.reclaimed == 1)
        #expect(try store.outboxCounts(campaignID: campaign.id!) == [.sent: 1, .queued: 1, .sending: 2])
        // Folding the same journal again (a crash before it was deleted) changes nothing.
        let again = try store.reclaimAbandoned(now: now, isAlive: { $0 == "alive" }, accepted: ["dead": [accepted(dead[0])]])
        #expect(again.recorded == 0 && again.reclaimed == 0)
        let next = try store.claimJobs(now: now, limit: 10, leaseUntil: lease, owner: "next")
        #expect(next.map(\.jobID) == [dead[1].jobID])
    }

    @Test(arguments: TestBackend.allCases) func cancelSkipsWhatWaitsAndRetryQueuesFailuresAgain(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        for index in 1...3 {
            _ = try store.register(person("p\(index)@example.com", hash: UInt8(index)), consents: [grant(.promotions)], lifting: [], at: now)
        }
        let campaign = try store.createCampaign(Campaign(name: "n", kind: .promotion, template: "t", segment: nil, dueAt: now, createdAt: now))
        let id = campaign.id!
        #expect(try store.retryCampaign(id: id, now: now) == nil, "not started yet")
        _ = try store.startDueCampaigns(now: now) { _ in .send(Audience(purpose: .promotions, anyOfProducts: nil)) }
        let jobs = try store.claimJobs(now: now, limit: 2, leaseUntil: now.addingTimeInterval(60), owner: "test")
        try store.record([JobOutcome(jobID: jobs[0].jobID, state: .sent, code: 250, lease: jobs[0].leaseUntil),
                          JobOutcome(jobID: jobs[1].jobID, state: .failed, code: 451, lease: jobs[1].leaseUntil)], now: now)
        #expect(try store.retryCampaign(id: id, now: now.addingTimeInterval(10)) == 1)
        let retried = try store.claimJobs(now: now.addingTimeInterval(10), limit: 10, leaseUntil: now.addingTimeInterval(70), owner: "test")
        #expect(retried.map(\.jobID).sorted() == [jobs[1].jobID, jobs[1].jobID + 1].sorted() && retried.allSatisfy { $0.attempt == 1 })
        try store.release(retried)
        #expect(try store.cancelCampaign(id: id, now: now) == 2)
        #expect(try store.outboxCounts(campaignID: id) == [.sent: 1, .skipped: 2])
        #expect(try store.cancelCampaign(id: id, now: now) == nil)
        #expect(try store.retryCampaign(id: id, now: now) == nil)
        #expect(try store.claimJobs(now: now.addingTimeInterval(100), limit: 10, leaseUntil: now.addingTimeInterval(200), owner: "test").isEmpty)
    }

    /// The check on both backends: SQLite (in memory here, on the store's connection; on a file with its
    /// own, in `SQLiteStoreTests`) and PostgreSQL (its own connection, the statement prepared once).
    @Test(arguments: TestBackend.allCases) func theLastMomentCheckReadsCommittedState(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let reader = try store.makePermissionReader()
        let id = try store.register(person("a@example.com", hash: 1), consents: [grant(.promotions)], lifting: [], at: now).recipient.id!
        let campaign = try store.createCampaign(Campaign(name: "n", kind: .promotion, template: "t", segment: nil, dueAt: now, createdAt: now))
        #expect(try reader.permission(recipientID: id, purpose: .promotions, campaignID: campaign.id!)
                == SendPermission(recipientExists: true, consentGranted: true, suppressionReason: nil))
        #expect(try reader.permission(recipientID: id, purpose: nil, campaignID: campaign.id!).consentGranted == nil, "no purpose asked")
        #expect(try reader.permission(recipientID: id, purpose: .productNews, campaignID: campaign.id!).consentGranted == false, "never granted")
        _ = try store.applyConsent(grant(.promotions, false), recipientID: id, lifting: [])
        #expect(try reader.permission(recipientID: id, purpose: .promotions, campaignID: campaign.id!).consentGranted == false, "revoked")
        _ = try store.suppress(addressHash: Data(repeating: 1, count: 32), reason: .complaint, at: now)
        #expect(try reader.permission(recipientID: id, purpose: nil, campaignID: campaign.id!).suppressionReason == .complaint)
        #expect(try reader.permission(recipientID: id, purpose: nil, campaignID: campaign.id!).campaignCancelled == false)
        _ = try store.cancelCampaign(id: campaign.id!, now: now)
        #expect(try reader.permission(recipientID: id, purpose: nil, campaignID: campaign.id!).campaignCancelled)
        #expect(try store.erase(addressHash: Data(repeating: 1, count: 32), at: now))
        #expect(try reader.permission(recipientID: id, purpose: .promotions, campaignID: campaign.id!) == .noRecipient, "erased")
        #expect(try reader.permission(recipientID: 999, purpose: nil, campaignID: 0).recipientExists == false)
    }

    /// Registering with a consent lifts only the suppressions it is allowed to, in the same transaction.
    @Test(arguments: TestBackend.allCases) func registrationLiftsOnlyTheReasonsItNames(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        _ = try store.suppress(addressHash: Data(repeating: 1, count: 32), reason: .erased, at: now)
        _ = try store.suppress(addressHash: Data(repeating: 2, count: 32), reason: .bounced, at: now)
        let back = try store.register(person("a@example.com", hash: 1), consents: [grant(.promotions)], lifting: [.erased, .unsubscribedAll], at: now)
        #expect(back.liftedSuppression && back.consentChanges == 1)
        #expect(try store.suppressionReason(addressHash: Data(repeating: 1, count: 32)) == nil)
        let bounced = try store.register(person("b@example.com", hash: 2), consents: [grant(.promotions)], lifting: [.erased, .unsubscribedAll], at: now)
        #expect(!bounced.liftedSuppression)
        #expect(try store.suppressionReason(addressHash: Data(repeating: 2, count: 32)) == .bounced)
    }

    // Registration requests (double opt-in) have their own suite: RegistrationRequestStoreTests.
}

/// What workers sharing a store share: one schedule of send slots, presences, domain pauses.
@Suite struct FleetStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Reservations line up one after another, whoever makes them: three blocks of ten slots 10 ms apart start
    /// about 0, 0.1 and 0.2 s from now; nothing saved up while nobody sent.
    @Test(arguments: TestBackend.allCases) func sendSlotsAreOneScheduleForEveryone(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let waits = [try store.reserveSendSlots(count: 10, interval: 0.01), try store.reserveSendSlots(count: 10, interval: 0.01),
                     try store.reserveSendSlots(count: 10, interval: 0.01)]
        #expect(waits[0] < 0.02 && abs(waits[1] - 0.1) < 0.02 && abs(waits[2] - 0.2) < 0.03, "\(waits)")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try store.reserveSendSlots(count: 10, interval: 0.01) < 0.02, "idle time is not saved up as a burst")
    }

    @Test(arguments: TestBackend.allCases) func presencesAndPausesAreShared(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        try store.heartbeat(owner: "pid:1:a", host: "one", now: now)
        try store.heartbeat(owner: "pid:2:b", host: "two", now: now.addingTimeInterval(5))
        try store.signOff(owner: "pid:1:a", now: now.addingTimeInterval(6))
        #expect(try store.workers(since: now.addingTimeInterval(-60)) == [
            WorkerPresence(owner: "pid:1:a", host: "one", lastBeat: now.addingTimeInterval(6), signedOff: true),
            WorkerPresence(owner: "pid:2:b", host: "two", lastBeat: now.addingTimeInterval(5), signedOff: false)])
        try store.pauseDomain("gmail.com", until: now.addingTimeInterval(60))
        try store.pauseDomain("gmail.com", until: now.addingTimeInterval(30))
        #expect(try store.pausedDomains(now: now) == ["gmail.com": now.addingTimeInterval(60)], "a shorter pause does not shorten a longer one")
        #expect(try store.pausedDomains(now: now.addingTimeInterval(61)).isEmpty)
    }
}

/// Imports at once on PostgreSQL: two files adding the same new people in opposite orders deadlock inside the
/// server (without the store's retry this failed in two runs of three), which aborts one; the store runs it
/// again, and everyone is stored once with one grant.
@Suite struct ConcurrentImportTests {
    @Test func importsOfTheSamePeopleInOppositeOrdersBothSucceed() throws {
        let store = try TestBackend.postgres.makeStore()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // Large enough that the two inserts overlap (each takes longer than starting a thread).
        let count = 20000
        func hash(_ index: Int) -> Data { withUnsafeBytes(of: UInt64(index).bigEndian) { Data($0) } + Data(repeating: 7, count: 24) }
        let rows = (1...count).map { index in
            ImportRow(recipient: NewRecipient(email: "p\(index)@example.com", addressHash: hash(index), name: nil,
                                              birthYear: nil, products: [], source: "test"), grants: [.promotions])
        }
        let tallies = Mutex<[ImportTally]>([])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        let ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0)
        for batch in [rows, rows.reversed()] {
            group.enter()
            Thread {
                defer { group.leave() }
                ready.signal()
                go.wait()
                do {
                    let tally = try store.importBatch(batch, at: now)
                    tallies.withLock { $0.append(tally) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        ready.wait(); ready.wait()
        go.signal(); go.signal()
        group.wait()
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        let all = tallies.withLock { $0 }
        #expect(all.reduce(0) { $0 + $1.created } == count && all.reduce(0) { $0 + $1.unchanged } == count, "\(all)")
        #expect(try store.recipientCount() == count)
        #expect(try store.aggregateCounts().consents[.promotions]?.granted == count, "one grant each, not two")
    }
}

/// Console accounts, sessions, password changes, API tokens and the audit log, on both backends.
@Suite struct StaffStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: TestBackend.allCases) func removingAnAccountEndsItsSessions(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let ada = try #require(try store.addStaff(StaffAccount(email: "ada@example.com", role: .admin, passwordHash: "scrypt$x", createdAt: now)))
        #expect(try store.addStaff(StaffAccount(email: "ada@example.com", role: .marketing, passwordHash: "scrypt$y", createdAt: now)) == nil, "one account per address")
        _ = try store.addStaff(StaffAccount(email: "bob@example.com", role: .marketing, passwordHash: "scrypt$z", createdAt: now))
        #expect(try store.staffAccounts().map(\.email) == ["ada@example.com", "bob@example.com"])
        let token = Data(repeating: 9, count: 32)
        try store.createSession(StaffSession(tokenHash: token, staffID: ada.id!, createdAt: now, expiresAt: now.addingTimeInterval(3600)), now: now, activeSince: now)
        #expect(try store.session(tokenHash: token, now: now.addingTimeInterval(10), activeSince: now)?.account.email == "ada@example.com")
        #expect(try store.session(tokenHash: token, now: now.addingTimeInterval(3600), activeSince: now) == nil, "expired")
        #expect(try store.removeStaff(email: "ada@example.com"))
        #expect(try store.session(tokenHash: token, now: now.addingTimeInterval(10), activeSince: now) == nil, "the account's sessions went with it")
        #expect(try !store.removeStaff(email: "ada@example.com"))
    }

    /// A session unused since before `activeSince` is not found; using it moves its idle clock; a new
    /// session clears away the expired and the idle ones.
    @Test(arguments: TestBackend.allCases) func anIdleSessionEndsAndATouchKeepsItAlive(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let ada = try #require(try store.addStaff(StaffAccount(email: "ada@example.com", role: .admin, passwordHash: "scrypt$x", createdAt: now)))
        let token = Data(repeating: 1, count: 32), idle = Data(repeating: 2, count: 32)
        for hash in [token, idle] {
            try store.createSession(StaffSession(tokenHash: hash, staffID: ada.id!, createdAt: now, expiresAt: now.addingTimeInterval(12 * 3600)),
                                    now: now, activeSince: now.addingTimeInterval(-1800))
        }
        let later = now.addingTimeInterval(1500)
        #expect(try store.session(tokenHash: token, now: later, activeSince: later.addingTimeInterval(-1800))?.session.lastSeenAt == now)
        try store.touchSession(tokenHash: token, at: later)
        let after = later.addingTimeInterval(1000)  // 2,500 s after sign-in, 1,000 s after the touch
        #expect(try store.session(tokenHash: token, now: after, activeSince: after.addingTimeInterval(-1800))?.session.lastSeenAt == later)
        #expect(try store.session(tokenHash: idle, now: after, activeSince: after.addingTimeInterval(-1800)) == nil, "unused for 2,500 s")
        let fresh = Data(repeating: 3, count: 32)
        try store.createSession(StaffSession(tokenHash: fresh, staffID: ada.id!, createdAt: after, expiresAt: after.addingTimeInterval(3600)),
                                now: after, activeSince: after.addingTimeInterval(-1800))
        #expect(try store.session(tokenHash: idle, now: now, activeSince: now) == nil, "the idle session was deleted, not only hidden")
        #expect(try store.session(tokenHash: token, now: after, activeSince: after.addingTimeInterval(-1800)) != nil)
    }

    @Test(arguments: TestBackend.allCases) func aPasswordChangeEndsTheOtherSessionsOnly(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let ada = try #require(try store.addStaff(StaffAccount(email: "ada@example.com", role: .admin, passwordHash: "scrypt$old", createdAt: now)))
        let bob = try #require(try store.addStaff(StaffAccount(email: "bob@example.com", role: .admin, passwordHash: "scrypt$bob", createdAt: now)))
        let here = Data(repeating: 1, count: 32), elsewhere = Data(repeating: 2, count: 32), bobs = Data(repeating: 3, count: 32)
        for (hash, id) in [(here, ada.id!), (elsewhere, ada.id!), (bobs, bob.id!)] {
            try store.createSession(StaffSession(tokenHash: hash, staffID: id, createdAt: now, expiresAt: now.addingTimeInterval(3600)), now: now, activeSince: now)
        }
        #expect(try store.changePassword(staffID: ada.id!, passwordHash: "scrypt$new", keeping: here))
        #expect(try store.staffAccount(email: "ada@example.com")?.passwordHash == "scrypt$new")
        #expect(try store.session(tokenHash: here, now: now, activeSince: now) != nil, "the session that changed it stays")
        #expect(try store.session(tokenHash: elsewhere, now: now, activeSince: now) == nil)
        #expect(try store.session(tokenHash: bobs, now: now, activeSince: now) != nil, "another account's sessions are untouched")
        #expect(try !store.changePassword(staffID: 999_999, passwordHash: "scrypt$x", keeping: nil))
        #expect(try store.changePassword(staffID: bob.id!, passwordHash: "scrypt$b2", keeping: nil))
        #expect(try store.session(tokenHash: bobs, now: now, activeSince: now) == nil, "keeping none ends them all")
    }

    @Test(arguments: TestBackend.allCases) func apiTokensAreFoundByHashOnlyWhileTheyExist(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let hash = Data(repeating: 7, count: 32)
        let ci = try #require(try store.addApiToken(ApiToken(name: "ci", tokenHash: hash, createdAt: now)))
        #expect(ci.id != nil)
        #expect(try store.addApiToken(ApiToken(name: "ci", tokenHash: Data(repeating: 8, count: 32), createdAt: now)) == nil, "one token per name")
        #expect(try store.addApiToken(ApiToken(name: "crm", tokenHash: hash, createdAt: now)) == nil, "one token per hash")
        _ = try store.addApiToken(ApiToken(name: "backup", tokenHash: Data(repeating: 9, count: 32), createdAt: now))
        #expect(try store.apiTokens().map(\.name) == ["backup", "ci"])
        #expect(try store.apiToken(tokenHash: hash)?.name == "ci")
        #expect(try store.apiToken(tokenHash: hash)?.lastUsedAt == nil)
        try store.markApiTokenUsed(id: ci.id!, at: now.addingTimeInterval(5))
        #expect(try store.apiToken(tokenHash: hash)?.lastUsedAt == now.addingTimeInterval(5))
        #expect(try store.removeApiToken(name: "ci"))
        #expect(try store.apiToken(tokenHash: hash) == nil)
        #expect(try !store.removeApiToken(name: "ci"))
    }

    @Test(arguments: TestBackend.allCases) func theAuditLogOnlyGrows(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        try store.appendAudit(AuditEntry(staffEmail: "ada@example.com", action: "campaign.create", subject: "campaign 1", recordedAt: now))
        try store.appendAudit(AuditEntry(staffEmail: "api:ci", action: "campaign.cancel", subject: "campaign 1", recordedAt: now))
        #expect(try store.auditLog(limit: 10).map(\.action) == ["campaign.cancel", "campaign.create"], "newest first")
        #expect(try store.auditLog(limit: 10).first?.staffEmail == "api:ci")
    }
}
