import Foundation
import Store

/// Writes import batches on a thread of its own, so reading and checking the next rows overlaps with
/// SQLite's work on the last ones. It holds at most `capacity` batches: a fast reader waits rather than
/// letting memory grow with the file.
final class BatchWriter: @unchecked Sendable {
    typealias Write = @Sendable ([ImportRow]) throws(HeraldError) -> ImportTally

    private let condition = NSCondition()
    private let capacity: Int
    private let write: Write
    // Guarded by `condition`.
    private var pending: [[ImportRow]] = []
    private var closed = false
    private var stopped = false
    private var failure: HeraldError?
    private var tally = ImportTally()

    init(capacity: Int = 2, write: @escaping Write) {
        self.capacity = capacity
        self.write = write
        let thread = Thread { [self] in drain() }
        thread.name = "herald-import-writer"
        thread.start()
    }

    /// Queues a batch, waiting while the queue is full. Throws the writer's failure, if it has failed:
    /// the import then stops at the first batch that could not be written.
    func submit(_ batch: [ImportRow]) throws(HeraldError) {
        condition.lock()
        defer { condition.unlock() }
        while pending.count >= capacity && failure == nil { condition.wait() }
        if let failure { throw failure }
        pending.append(batch)
        condition.broadcast()
    }

    /// Waits until every queued batch is written; returns what they changed.
    func finish() throws(HeraldError) -> ImportTally {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while !stopped { condition.wait() }
        if let failure { throw failure }
        return tally
    }

    private func drain() {
        while true {
            condition.lock()
            while pending.isEmpty && !closed { condition.wait() }
            guard !pending.isEmpty else {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = pending.removeFirst()
            condition.unlock()

            let result: Result<ImportTally, HeraldError>
            do throws(HeraldError) { result = .success(try write(batch)) } catch { result = .failure(error) }

            condition.lock()
            switch result {
            case .success(let written): tally += written
            case .failure(let error):
                failure = error
                pending.removeAll()
                stopped = true
            }
            condition.broadcast()
            condition.unlock()
            if case .failure = result { return }
        }
    }
}
