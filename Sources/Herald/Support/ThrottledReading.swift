import Synchronization

/// A value that is costly to read (a GROUP BY over the whole outbox), read at most once every `maximumAge` and
/// by one caller at a time: callers within that age get the last value; callers that find it stale while a read is
/// under way get the last value too rather than a read of their own, so many callers at once queue nothing
/// behind it. Only callers that have no value at all yet wait for the read in progress. A failed read keeps the
/// last value and waits out `maximumAge` like a successful one, so a failing database is not asked again at
/// every call either.
public final class ThrottledReading<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var readAt: ContinuousClock.Instant?
        var reading: Task<Value?, Never>?
    }

    private let state = Mutex(State())
    private let maximumAge: Duration
    private let read: @Sendable () async -> Value?
    private let now: @Sendable () -> ContinuousClock.Instant

    /// `read` gives nil when it failed. `now` is the clock ages are measured on (a test's own, or the system's).
    public init(maximumAge: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
                read: @escaping @Sendable () async -> Value?) {
        self.maximumAge = maximumAge
        self.now = now
        self.read = read
    }

    /// The last value read, read again first when it is older than `maximumAge` and nobody else is reading it.
    public func value() async -> Value? {
        let now = self.now()
        let (last, reading) = state.withLock { state -> (Value?, Task<Value?, Never>?) in
            if let readAt = state.readAt, now - readAt < maximumAge { return (state.value, nil) }
            if let reading = state.reading { return (state.value, state.value == nil ? reading : nil) }
            let reading = Task { [self] in finish(with: await read()) }
            state.reading = reading
            return (nil, reading)
        }
        if let reading { return await reading.value }
        return last
    }

    private func finish(with value: Value?) -> Value? {
        state.withLock { state in
            if let value { state.value = value }
            state.readAt = now()
            state.reading = nil
            return state.value
        }
    }
}
