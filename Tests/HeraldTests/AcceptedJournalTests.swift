import Foundation
import Testing
@testable import Herald

struct AcceptedJournalTests {
    func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("herald-journal-\(UUID().uuidString)").path
    }

    @Test func aDeadWorkersLinesAreReadBackAndALiveOnesAreLeftAlone() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dead = AcceptedJournal(directory: directory, owner: "pid:999999:42", synchronous: false)
        let writer = try dead.makeWriter(sender: 0)
        _ = writer.append(jobID: 7, code: 250, enhancedStatus: "2.0.0", reply: "250 2.0.0 Ok:\tqueued\r\nas X")
        _ = writer.append(jobID: 9, code: 250, enhancedStatus: nil, reply: "250 ok")
        let live = AcceptedJournal(directory: directory, owner: "pid:\(getpid()):43", synchronous: true)
        _ = try live.makeWriter(sender: 1).append(jobID: 8, code: 250, enhancedStatus: nil, reply: "250 ok")

        let abandoned = AcceptedJournal.abandoned(in: directory, isAlive: OutboxWorker.processIsAlive)
        #expect(abandoned.map(\.owner) == ["pid:999999:42"])
        #expect(abandoned.first?.accepted == [
            .init(jobID: 7, code: 250, enhancedStatus: "2.0.0", reply: "250 2.0.0 Ok: queued  as X"),
            .init(jobID: 9, code: 250, enhancedStatus: nil, reply: "250 ok"),
        ])
        live.removeFiles()
        #expect(AcceptedJournal.files(in: directory).map(\.owner) == ["pid:999999:42"])
    }

    @Test func aLineCutShortIsDroppedNotMisread() {
        let data = Data("12\t250\t2.0.0\tok\n13\t25".utf8)
        #expect(AcceptedJournal.parse(data).map(\.jobID) == [12])
    }

    @Test func theFileStartsAgainOnlyOnceEverythingInItIsCommitted() throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try AcceptedJournal(directory: directory, owner: "pid:999999:1", synchronous: false).makeWriter(sender: 0)
        let reply = String(repeating: "x", count: 180)
        var last = 0
        // Past the compaction size with nothing committed: nothing may be lost.
        while (try FileManager.default.attributesOfItem(atPath: writer.path)[.size] as? Int ?? 0) <= AcceptedJournal.Writer.compactionSize {
            last = writer.append(jobID: Int64(last + 1), code: 250, enhancedStatus: nil, reply: reply)
        }
        last = writer.append(jobID: Int64(last + 1), code: 250, enhancedStatus: nil, reply: reply)
        #expect(AcceptedJournal.parse(FileManager.default.contents(atPath: writer.path)!).count == last)
        writer.committed(through: last - 1)
        last = writer.append(jobID: Int64(last + 1), code: 250, enhancedStatus: nil, reply: reply)
        #expect(AcceptedJournal.parse(FileManager.default.contents(atPath: writer.path)!).count == last, "one line was not committed yet")
        writer.committed(through: last)
        _ = writer.append(jobID: 1_000_000, code: 250, enhancedStatus: nil, reply: "250 ok")
        #expect(AcceptedJournal.parse(FileManager.default.contents(atPath: writer.path)!).map(\.jobID) == [1_000_000])
    }
}
