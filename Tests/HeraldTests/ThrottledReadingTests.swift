import Foundation
import Synchronization
import Testing
@testable import Herald

/// `/metrics` reads the outbox's depth through a `ThrottledReading`: however many scrapes come at once or how
/// often, the database is asked at most once per interval and by one of them at a time.
struct ThrottledReadingTests {
    /// A read that takes `delay` and gives how many reads there have been, or nil when told to fail.
    final class Source: Sendable {
        let reads = Atomic<Int>(0)
        let failing = Atomic<Bool>(false)
        let delay: Duration

        init(delay: Duration) { self.delay = delay }

        func read() async -> Int? {
            let count = reads.add(1, ordering: .relaxed).newValue
            try? await Task.sleep(for: delay)
            return failing.load(ordering: .relaxed) ? nil : count
        }
    }

    @Test func manyCallersAtOnceShareOneRead() async {
        let source = Source(delay: .milliseconds(200))
        let reading = ThrottledReading(maximumAge: .seconds(60), read: { await source.read() })
        let values = await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<50 { group.addTask { await reading.value() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(source.reads.load(ordering: .relaxed) == 1 && values.allSatisfy { $0 == 1 }, "\(values)")
        #expect(await reading.value() == 1 && source.reads.load(ordering: .relaxed) == 1, "a fresh value is not read again")
    }

    @Test func aStaleValueIsReadAgainByOneCallerWhileTheOthersGetTheLastOne() async throws {
        let source = Source(delay: .milliseconds(300))
        let reading = ThrottledReading(maximumAge: .milliseconds(50), read: { await source.read() })
        #expect(await reading.value() == 1)
        try await Task.sleep(for: .milliseconds(100))
        let refreshing = Task { await reading.value() }
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        #expect(await reading.value() == 1, "the last value, at once, while another caller reads")
        #expect(ContinuousClock.now - started < .milliseconds(200))
        #expect(await refreshing.value == 2 && source.reads.load(ordering: .relaxed) == 2)
    }

    @Test func aFailedReadKeepsTheLastValueAndIsNotRetriedAtOnce() async throws {
        let source = Source(delay: .zero)
        let reading = ThrottledReading(maximumAge: .milliseconds(100), read: { await source.read() })
        #expect(await reading.value() == 1)
        source.failing.store(true, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(150))
        #expect(await reading.value() == 1 && source.reads.load(ordering: .relaxed) == 2)
        #expect(await reading.value() == 1 && source.reads.load(ordering: .relaxed) == 2, "the failure waits out the interval too")
    }
}
