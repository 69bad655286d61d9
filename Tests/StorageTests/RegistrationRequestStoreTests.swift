import Foundation
import Testing
import Store
@testable import Storage
import TestDatabases

/// Registration requests on both backends: no person is stored until confirmation, each submission applies
/// only its own data, nothing extends a request's 7 days, the limits on confirmation mails, and the share of
/// each claim that confirmation mails take.
@Suite struct RegistrationRequestStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func request(_ email: String, hash: UInt8, name: String? = nil, products: [String] = [], purposes: [Purpose] = [.promotions],
                 mailbox: UInt8? = nil, domain: UInt8 = 0, challenged: Bool = true) -> NewRegistrationRequest {
        NewRegistrationRequest(email: email, addressHash: Data(repeating: hash, count: 32), name: name, birthYear: 1990, products: products,
                               purposes: purposes, source: "form", mailboxHash: Data(repeating: mailbox ?? hash, count: 32),
                               domainHash: Data(repeating: domain, count: 32), challenged: challenged)
    }

    func queuedID(_ outcome: RegistrationRequestOutcome) throws -> Int64 {
        guard case .queued(let id) = outcome else { throw StorageError(message: "not queued: \(outcome)") }
        return id
    }

    /// Erasing an address that only has registrations waiting deletes them (they hold the address) with their
    /// confirmation jobs, and keeps the keyed hash suppressed as erased.
    @Test(arguments: TestBackend.allCases) func erasingAnAddressDeletesItsWaitingRequests(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let hash = Data(repeating: 7, count: 32)
        let waiting = try queuedID(store.requestRegistration(request("zoe@example.com", hash: 7, name: "Zoe"), limits: nil, at: now))
        #expect(try store.erase(addressHash: hash, at: now), "something was erased")
        #expect(try store.pendingPurposes(requestID: waiting) == nil)
        #expect(try store.claimJobs(now: now, limit: 10, leaseUntil: now.addingTimeInterval(60), owner: "test").isEmpty, "its mail is gone too")
        #expect(try store.suppressionReason(addressHash: hash) == .erased)
        #expect(try store.erase(addressHash: hash, at: now) == false, "nothing left the second time")
    }

    /// A stranger's submission stores no person, and a second one cannot change what the first one's link applies.
    @Test(arguments: TestBackend.allCases) func eachSubmissionWaitsOnItsOwnAndItsLinkAppliesOnlyItsData(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let hash = Data(repeating: 1, count: 32)
        let first = try queuedID(store.requestRegistration(request("ada@example.com", hash: 1, name: "Ada", products: ["kronos"]), limits: nil, at: now))
        let second = try queuedID(store.requestRegistration(request("ada@example.com", hash: 1, name: "Mallory", products: ["prank"],
                                                                    purposes: [.productNews, .promotions]), limits: nil, at: now))
        #expect(first != second)
        #expect(try store.recipient(addressHash: hash) == nil, "no person until someone confirms")
        #expect(try store.recipientCount() == 0)
        #expect(try store.pendingPurposes(requestID: first) == [.promotions])

        // The worker gets each confirmation's address, name and purposes from its own request.
        let jobs = try store.claimJobs(now: now, limit: 10, leaseUntil: now.addingTimeInterval(60), owner: "test")
        #expect(jobs.map(\.kind) == [.confirmation, .confirmation])
        #expect(jobs.map(\.recipientID) == [-first, -second])
        #expect(jobs.map(\.email) == ["ada@example.com", "ada@example.com"] && jobs.map(\.name) == ["Ada", "Mallory"])
        #expect(jobs.map(\.waitingPurposes) == [[.promotions], [.productNews, .promotions]])
        let reader = try store.makePermissionReader()
        let waiting = try reader.permission(recipientID: -first, purpose: nil, campaignID: jobs[0].campaignID)
        #expect(waiting.recipientExists && waiting.registrationWaiting && waiting.suppressionReason == nil)

        // Ada follows her link (it named promotions): her data, and nothing of the second submission.
        #expect(try store.confirmPending(requestID: first, named: [.promotions, .productNews], source: "form", noticeHash: "n1",
                                         lifting: [.erased, .unsubscribedAll], at: now) == [.promotions])
        let ada = try #require(try store.recipient(addressHash: hash))
        #expect(ada.name == "Ada" && ada.birthYear == 1990 && ada.email == "ada@example.com")
        #expect(try store.products(ofRecipient: ada.id!) == ["kronos"])
        #expect(try store.consents(ofRecipient: ada.id!).map(\.purpose) == [.promotions])
        #expect(try store.ledger(ofRecipient: ada.id!).map(\.source) == ["form"] && store.ledger(ofRecipient: ada.id!).map(\.noticeHash) == ["n1"])
        #expect(try store.confirmPending(requestID: first, named: [.promotions], source: "form", noticeHash: nil, lifting: [], at: now) == nil, "once")
        #expect(try store.pendingPurposes(requestID: first) == nil)
        #expect(try reader.permission(recipientID: -first, purpose: nil, campaignID: jobs[0].campaignID) == .noRecipient, "its job has nothing to confirm")
        #expect(try store.pendingPurposes(requestID: second) == [.productNews, .promotions], "the other submission still waits")

        // Confirming the second later changes nothing Ada has: it only adds what it asks for.
        #expect(try store.confirmPending(requestID: second, named: [.productNews], source: "form", noticeHash: nil, lifting: [], at: now) == [.productNews])
        #expect(try store.recipient(addressHash: hash)?.name == "Ada")
        #expect(try store.outboxDepth().isEmpty, "a request takes its confirmation's job with it")
    }

    /// The erased stay erased until they confirm; erasing someone takes their waiting requests with them.
    @Test(arguments: TestBackend.allCases) func anErasedPersonComesBackOnlyByConfirming(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let hash = Data(repeating: 1, count: 32)
        _ = try store.register(NewRecipient(email: "ada@example.com", addressHash: hash, name: "Ada", birthYear: nil, products: [], source: "test"),
                               consents: [ConsentChange(purpose: .promotions, granted: true, source: "test", at: now)], lifting: [], at: now)
        let waiting = try queuedID(store.requestRegistration(request("ada@example.com", hash: 1, name: "Mallory"), limits: nil, at: now))
        #expect(try store.erase(addressHash: hash, at: now))
        #expect(try store.pendingPurposes(requestID: waiting) == nil, "erasure takes the address's waiting requests")
        #expect(try store.outboxDepth().isEmpty)

        let stranger = try queuedID(store.requestRegistration(request("ada@example.com", hash: 1, name: "Mallory"), limits: nil, at: now))
        #expect(try store.recipient(addressHash: hash) == nil && store.suppressionReason(addressHash: hash) == .erased)
        let jobs = try store.claimJobs(now: now, limit: 10, leaseUntil: now.addingTimeInterval(60), owner: "test")
        let reader = try store.makePermissionReader()
        #expect(try reader.permission(recipientID: jobs[0].recipientID, purpose: nil, campaignID: jobs[0].campaignID).suppressionReason == .erased)
        _ = try store.confirmPending(requestID: stranger, named: [.promotions], source: "form", noticeHash: nil, lifting: [.erased], at: now)
        #expect(try store.recipient(addressHash: hash)?.name == "Mallory", "only the confirmation brings the person back, with its data")
        #expect(try store.suppressionReason(addressHash: hash) == nil)
    }

    /// A hard bounce of a confirmation mail suppresses its address, as any other bounce does.
    @Test(arguments: TestBackend.allCases) func aBouncedConfirmationSuppressesItsAddress(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        _ = try queuedID(store.requestRegistration(request("nobody@example.com", hash: 7), limits: nil, at: now))
        let job = try #require(try store.claimJobs(now: now, limit: 10, leaseUntil: now.addingTimeInterval(60), owner: "test").first)
        try store.record([JobOutcome(jobID: job.jobID, state: .bounced, code: 550, suppressAs: .bounced, lease: job.leaseUntil)], now: now)
        #expect(try store.suppressionReason(addressHash: Data(repeating: 7, count: 32)) == .bounced)
    }

    /// However often the address is submitted again, each request goes 7 days after it was made.
    @Test(arguments: TestBackend.allCases) func repeatsDoNotExtendARequestsLife(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let week: TimeInterval = 7 * 86_400
        let first = try queuedID(store.requestRegistration(request("ada@example.com", hash: 1), limits: nil, at: now))
        var later: [Int64] = []
        for day in 1...6 {
            later.append(try queuedID(store.requestRegistration(request("ada@example.com", hash: 1), limits: RegistrationLimits(),
                                                                at: now.addingTimeInterval(Double(day) * 86_400))))
        }
        // The sweep a week and a second after the first request.
        #expect(try store.deleteUnconfirmed(before: now.addingTimeInterval(week + 1 - week)) == 1)
        #expect(try store.pendingPurposes(requestID: first) == nil, "gone 7 days after it was made, repeats or not")
        #expect(try store.pendingPurposes(requestID: later[0]) != nil)
        #expect(try store.deleteUnconfirmed(before: now.addingTimeInterval(6 * 86_400 + 1)) == 6)
        #expect(try store.recipientCount() == 0 && store.outboxDepth().isEmpty)
    }

    /// Per mailbox, per domain, in all, and in all without a challenge, per rolling hour; past a limit nothing
    /// is stored or queued.
    @Test(arguments: TestBackend.allCases) func limitsCountTheLastHoursConfirmationMails(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        let limits = RegistrationLimits(perMailbox: 3, perDomain: 5, total: 8, withoutChallenge: 2)
        func ask(_ hash: UInt8, mailbox: UInt8, domain: UInt8, challenged: Bool = true, at offset: TimeInterval = 0) throws -> RegistrationRequestOutcome {
            try store.requestRegistration(request("x\(hash)@example.com", hash: hash, mailbox: mailbox, domain: domain, challenged: challenged),
                                          limits: limits, at: now.addingTimeInterval(offset))
        }
        for n in 1...3 { _ = try queuedID(ask(UInt8(n), mailbox: 1, domain: 1)) }
        #expect(try ask(4, mailbox: 1, domain: 1) == .limited(.mailbox), "a fourth to one mailbox, under any spelling")
        _ = try queuedID(ask(5, mailbox: 2, domain: 1))
        _ = try queuedID(ask(6, mailbox: 3, domain: 1))
        #expect(try ask(7, mailbox: 4, domain: 1) == .limited(.domain))
        _ = try queuedID(ask(8, mailbox: 5, domain: 2, challenged: false))
        _ = try queuedID(ask(9, mailbox: 6, domain: 2, challenged: false))
        #expect(try ask(10, mailbox: 7, domain: 2, challenged: false) == .limited(.withoutChallenge))
        _ = try queuedID(ask(11, mailbox: 8, domain: 3))
        #expect(try ask(12, mailbox: 9, domain: 4) == .limited(.total))
        #expect(try store.outboxDepth() == [.queued: 8], "nothing queued past a limit")
        #expect(try store.deleteUnconfirmed(before: now.addingTimeInterval(1)) == 8, "and nothing stored")
        // An hour later the window has moved on; an operator's invitation is never limited.
        _ = try queuedID(ask(13, mailbox: 1, domain: 1, at: 3601))
        for _ in 1...5 { _ = try queuedID(store.requestRegistration(request("y@example.com", hash: 14, mailbox: 1, domain: 1), limits: nil, at: now)) }
    }

    /// With a thousand of each due, a batch of 32 takes 8 confirmations and 24 campaign jobs; with one kind
    /// only, the batch is full of it.
    @Test(arguments: TestBackend.allCases) func confirmationsTakeTheirShareOfEachClaim(_ backend: TestBackend) throws {
        let store = try backend.makeStore()
        try queueCampaign(store, people: 1000)
        for n in 0..<1000 {
            _ = try queuedID(store.requestRegistration(request("r\(n)@example.com", hash: 2, name: nil), limits: nil, at: now.addingTimeInterval(-10)))
        }
        let batch = try store.claimJobs(now: now.addingTimeInterval(1), limit: 32, leaseUntil: now.addingTimeInterval(600), owner: "test",
                                        confirmationShare: 0.25)
        #expect(batch.count == 32)
        #expect(batch.filter { $0.kind == .confirmation }.count == 8 && batch.filter { $0.kind == .promotion }.count == 24)
        #expect(batch.allSatisfy { ($0.kind == .confirmation) == ($0.recipientID < 0) })

        let campaignsOnly = try backend.makeStore()
        try queueCampaign(campaignsOnly, people: 40)
        #expect(try campaignsOnly.claimJobs(now: now.addingTimeInterval(1), limit: 32, leaseUntil: now.addingTimeInterval(600), owner: "test",
                                            confirmationShare: 0.25).filter { $0.kind == .promotion }.count == 32)
        let confirmationsOnly = try backend.makeStore()
        for n in 0..<40 { _ = try confirmationsOnly.requestRegistration(request("r\(n)@example.com", hash: 2), limits: nil, at: now) }
        #expect(try confirmationsOnly.claimJobs(now: now.addingTimeInterval(1), limit: 32, leaseUntil: now.addingTimeInterval(600), owner: "test",
                                                confirmationShare: 0.25).filter { $0.kind == .confirmation }.count == 32)
    }

    @Test func aClaimsShareIsRoundedAndLeavesRoomForBoth() {
        let share = ClaimShare(limit: 32, confirmationShare: 0.25)
        #expect(share.confirmations == 8 && share.campaignJobs == 24)
        #expect(ClaimShare(limit: 1, confirmationShare: 0.25).confirmations == 1, "a batch of one never starves confirmations")
        #expect(ClaimShare(limit: 2, confirmationShare: 1).confirmations == 2)
        #expect(ClaimShare(limit: 4, confirmationShare: 0.9).confirmations == 3)
        #expect(ClaimShare(limit: 0, confirmationShare: 0.25).confirmations == 0)
    }

    /// A started promotion with `people` people in its audience, due before `now`.
    func queueCampaign(_ store: any HeraldStore, people: Int) throws {
        var rows: [ImportRow] = []
        for n in 0..<people {
            var hash = Data(repeating: 0, count: 32)
            hash[0] = UInt8(n % 256)
            hash[1] = UInt8(n / 256)
            hash[2] = 0xAA
            rows.append(ImportRow(recipient: NewRecipient(email: "p\(n)@example.com", addressHash: hash, name: nil, birthYear: nil,
                                                          products: [], source: "test"), grants: [.promotions]))
        }
        _ = try store.importBatch(rows, at: now.addingTimeInterval(-20))
        _ = try store.createCampaign(Campaign(name: "n", kind: .promotion, template: "t", segment: nil, dueAt: now.addingTimeInterval(-20),
                                              createdAt: now.addingTimeInterval(-20)))
        _ = try store.startDueCampaigns(now: now.addingTimeInterval(-20)) { _ in .send(Audience(purpose: .promotions, anyOfProducts: nil)) }
    }
}
