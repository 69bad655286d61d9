import Foundation
import Synchronization
import Testing
@testable import Herald

/// `/metrics` reads the outbox's depth through a `ThrottledReading`: however many scrapes come at once or how
/// often, the database is asked at most once per interval and by one of them at a time.
/// Time is the test's own (`ManualClock`) and a read waits for the test to let it finish (`Source.release`),
/// so nothing here depends on how fast the machine is.
struct ThrottledReadingTests {
    final class ManualClock: Sendable {
        private let base = ContinuousClock.now
        private let offset = Mutex<Duration>(.zero)
        func now() -> ContinuousClock.Instant { base + offset.withLock { $0 } }
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    }

    /// A read that waits until released and gives how many reads there have been, or nil when told to fail.
    final class Source: Sendable {
        let reads = Atomic<Int>(0)
        let failing = Atomic<Bool>(false)
        let released = Atomic<Bool>(true)

        func read() async -> Int? {
            let count = reads.add(1, ordering: .relaxed).newValue
            while !released.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(1)) }
            return failing.load(ordering: .relaxed) ? nil : count
        }

        /// Waits (a bounded while) until `count` reads have begun.
        func waitForReads(_ count: Int) async {
            for _ in 0..<5000 where reads.load(ordering: .relaxed) < count { try? await Task.sleep(for: .milliseconds(1)) }
        }
    }

    @Test func manyCallersAtOnceShareOneRead() async {
        let source = Source()
        source.released.store(false, ordering: .relaxed)
        let clock = ManualClock()
        let reading = ThrottledReading(maximumAge: .seconds(60), now: clock.now, read: { await source.read() })
        let values = await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<50 { group.addTask { await reading.value() } }
            await source.waitForReads(1)
            source.released.store(true, ordering: .relaxed)
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(source.reads.load(ordering: .relaxed) == 1 && values.allSatisfy { $0 == 1 }, "\(values)")
        #expect(await reading.value() == 1 && source.reads.load(ordering: .relaxed) == 1, "a fresh value is not read again")
    }

    @Test func aStaleValueIsReadAgainByOneCallerWhileTheOthersGetTheLastOne() async throws {
        let source = Source()
        let clock = ManualClock()
        let reading = ThrottledReading(maximumAge: .milliseconds(50), now: clock.now, read: { await source.read() })
        #expect(await reading.value() == 1)
        clock.advance(.milliseconds(100))
        source.released.store(false, ordering: .relaxed)
        let refreshing = Task { await reading.value() }
        await source.waitForReads(2)
        #expect(await reading.value() == 1, "the last value, at once, while another caller reads")
        source.released.store(true, ordering: .relaxed)
        #expect(await refreshing.value == 2 && source.reads.load(ordering: .relaxed) == 2)
    }

    @Test func aFailedReadKeepsTheLastValueAndIsNotRetriedAtOnce() async throws {
        let source = Source()
        let clock = ManualClock()
        let reading = ThrottledReading(maximumAge: .milliseconds(100), now: clock.now, read: { await source.read() })
        #expect(await reading.value() == 1)
        source.failing.store(true, ordering: .relaxed)
        clock.advance(.milliseconds(150))
        #expect(await reading.value() == 1 && source.reads.load(ordering: .relaxed) == 2)
        #expect(await reading.value() == 1 && source.reads.load(ordering: .relaxed) == 2, "the failure waits out the interval too")
        clock.advance(.milliseconds(150))
        #expect(await reading.value() == 1 && source.reads.load(ordering: .relaxed) == 3, "and is tried again after it")
    }
}
