import Foundation
import Herald
import Store
import Synchronization

/// The outbox's own ceiling, with no SMTP and no composing: each worker claims a batch, runs the last-moment
/// check for every job on its own reader, and records every job as sent, until nothing is left. Each worker has
/// a store of its own (its own connections, as a worker process would), so they contend as processes do.
struct QueueCeiling {
    let configuration: HeraldConfiguration
    let workers: Int
    let batch: Int

    func run() throws {
        let app = try HeraldApp(configuration: configuration)
        _ = try app.store.startDueCampaigns(now: Date()) { _ in .send(Audience(purpose: .productNews, anyOfProducts: nil)) }
        // WORKERS 0: only start the campaigns (so that a run's measurement does not include queueing them).
        guard workers > 0 else { return }
        let queued = try app.store.outboxDepth()[.queued] ?? 0
        let stores = try (0..<workers).map { _ in try HeraldApp(configuration: configuration).store }
        let done = Atomic<Int>(0)
        // Where a worker's time goes, in nanoseconds: claiming, checking, recording.
        let spent = Mutex<[Int64]>([0, 0, 0])
        let failures = Mutex<[String]>([])
        let clock = ContinuousClock()
        let start = clock.now
        let group = DispatchGroup()
        for (number, store) in stores.enumerated() {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let reader = try store.makePermissionReader()
                    let owner = "bench:\(number)"
                    var times: [Int64] = [0, 0, 0]
                    defer { spent.withLock { total in for index in 0..<3 { total[index] += times[index] } } }
                    while true {
                        let now = Date()
                        var mark = clock.now
                        func lap(_ index: Int) {
                            let next = clock.now
                            times[index] += (next - mark).components.attoseconds / 1_000_000_000 + (next - mark).components.seconds * 1_000_000_000
                            mark = next
                        }
                        let jobs = try store.claimJobs(now: now, limit: batch, leaseUntil: now.addingTimeInterval(600), owner: owner)
                        lap(0)
                        if jobs.isEmpty { break }
                        var outcomes: [JobOutcome] = []
                        outcomes.reserveCapacity(jobs.count)
                        for job in jobs {
                            let permission = try reader.permission(recipientID: job.recipientID, purpose: .productNews, campaignID: job.campaignID)
                            let allowed = permission.consentGranted == true && permission.suppressionReason == nil && !permission.campaignCancelled
                            outcomes.append(JobOutcome(jobID: job.jobID, state: allowed ? .sent : .skipped, code: allowed ? 250 : nil,
                                                       reply: allowed ? "250 2.0.0 ok" : "withdrawn", lease: job.leaseUntil))
                        }
                        lap(1)
                        try store.record(outcomes, now: Date())
                        lap(2)
                        done.add(jobs.count, ordering: .relaxed)
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        group.wait()
        let seconds = (clock.now - start) / .seconds(1)
        if let failure = failures.withLock({ $0.first }) { throw BenchFailure(failure) }
        let count = done.load(ordering: .relaxed)
        guard count == queued else { throw BenchFailure("recorded \(count) of \(queued) jobs") }
        let perJob = spent.withLock { $0.map { Double($0) / Double(max(1, count)) / 1000 } }
        print("queue \(workers) \(count) \(String(format: "%.3f", seconds)) \(String(format: "%.0f", Double(count) / seconds)) "
              + perJob.map { String(format: "%.1f", $0) }.joined(separator: " "))
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
