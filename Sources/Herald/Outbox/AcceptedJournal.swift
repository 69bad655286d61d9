import Foundation
import Store
import Synchronization

/// The jobs a worker's senders saw accepted (2xx) but whose outcome the coordinator has not committed yet.
///
/// Outcomes reach the outbox in batched transactions (up to a batch or a quarter second of sending), which
/// is what makes the send path fast; without this journal, a worker killed between a server's 2xx and that
/// commit sent every such message again after the restart. Each sender appends one line per accepted job
/// to a file of its own right after the reply, with one `write(2)` and no `fsync`: a killed process's
/// writes are already in the page cache, which survives it. The next worker on this machine folds a dead
/// worker's journal into the outbox (`sent`, with the server's reply) before it takes the rest of that
/// worker's jobs back, so after a SIGKILL at any moment at most one message per connection, the one whose
/// SMTP transaction was under way, goes out twice.
///
/// A power loss can also lose what the page cache held: then every message accepted since the last batch
/// commit can go out again. `outbox.journal_sync: true` makes each append durable (`fdatasync`) and brings
/// that down to one per connection too, at the cost of a disk flush per message.
///
/// Lines are `JOB-ID<TAB>CODE<TAB>ENHANCED-STATUS<TAB>REPLY`: job ids and the server's words, never an address.
/// A file is named after its worker's lease owner (`pid:<n>:<tag>` → `<n>-<tag>-<sender>.journal`) and lives
/// in `outbox.journal_dir`: beside an SQLite file by default, so a journal can only ever be folded into its own
/// database; with PostgreSQL on each machine's own disk, read by the next worker started there (a worker on
/// another machine cannot read it: it takes the dead worker's jobs back as in flight).
struct AcceptedJournal: Sendable {
    let directory: String
    let owner: String
    let synchronous: Bool

    /// A journal file for one sender thread.
    func makeWriter(sender: Int) throws(HeraldError) -> Writer {
        // Which job was accepted when is the outbox's business only: the folder is 0700 and each file 0600,
        // whatever the umask (CONTRACT.md, files).
        do { try PrivateFiles.createDirectory(directory) } catch {
            throw HeraldError(.software, "cannot create the send journal folder \(error)")
        }
        let path = directory + "/" + Self.fileName(owner: owner, sender: sender)
        let descriptor: Int32
        do { descriptor = try PrivateFiles.openForWriting(path, flags: O_APPEND) } catch {
            throw HeraldError(.software, "cannot open the send journal \(error)")
        }
        return Writer(descriptor: descriptor, path: path, synchronous: synchronous)
    }

    /// Removes this worker's files once everything in them is committed (a clean stop).
    func removeFiles() {
        for file in Self.files(in: directory) where file.owner == owner { unlink(directory + "/" + file.name) }
    }

    /// The journals of workers that are gone, read: what each of them saw accepted.
    static func abandoned(in directory: String, isAlive: (String) -> Bool) -> [Abandoned] {
        var byOwner: [String: Abandoned] = [:]
        for file in files(in: directory) where !isAlive(file.owner) {
            let path = directory + "/" + file.name
            var entry = byOwner[file.owner] ?? Abandoned(owner: file.owner, accepted: [], paths: [])
            entry.paths.append(path)
            if let data = FileManager.default.contents(atPath: path) { entry.accepted += parse(data) }
            byOwner[file.owner] = entry
        }
        return byOwner.values.sorted { $0.owner < $1.owner }
    }

    struct Abandoned: Sendable {
        var owner: String
        var accepted: [Accepted]
        var paths: [String]
    }

    struct Accepted: Sendable, Equatable {
        var jobID: Int64
        var code: Int
        var enhancedStatus: String?
        var reply: String
    }

    /// A line cut short (a kill in the middle of a write cannot do that, but a disk full can) is dropped:
    /// its job is simply sent again.
    static func parse(_ data: Data) -> [Accepted] {
        var entries: [Accepted] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "\t"), maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, let id = Int64(String(decoding: fields[0], as: UTF8.self)),
                  let code = Int(String(decoding: fields[1], as: UTF8.self)) else { continue }
            let enhanced = String(decoding: fields[2], as: UTF8.self)
            entries.append(Accepted(jobID: id, code: code, enhancedStatus: enhanced.isEmpty ? nil : enhanced,
                                    reply: String(decoding: fields[3], as: UTF8.self)))
        }
        return entries
    }

    static func fileName(owner: String, sender: Int) -> String {
        owner.replacingOccurrences(of: ":", with: "-").replacingOccurrences(of: "pid-", with: "") + "-\(sender).journal"
    }

    /// `<pid>-<tag>-<sender>.journal` → `pid:<pid>:<tag>`.
    static func files(in directory: String) -> [(name: String, owner: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in
            guard name.hasSuffix(".journal") else { return nil }
            let parts = name.dropLast(".journal".count).split(separator: "-")
            guard parts.count == 3, Int32(parts[0]) != nil else { return nil }
            return (name, "pid:\(parts[0]):\(parts[1])")
        }
    }

    /// One sender's file. Appended to by that sender only; the coordinator only says how far it has committed.
    final class Writer: @unchecked Sendable {
        private let descriptor: Int32
        let path: String
        private let synchronous: Bool
        /// Sequence number of the last line appended (sender thread only).
        private var appended = 0
        private var bytes = 0
        /// The highest sequence number whose outcome is committed in the outbox.
        private let committed = Atomic<Int>(0)

        /// Past this size the file is emptied as soon as everything in it is committed.
        static let compactionSize = 1 << 20

        init(descriptor: Int32, path: String, synchronous: Bool) {
            self.descriptor = descriptor
            self.path = path
            self.synchronous = synchronous
        }

        deinit { close(descriptor) }

        /// Appends one accepted job; returns its sequence number, for `committed(through:)`.
        func append(jobID: Int64, code: Int, enhancedStatus: String?, reply: String) -> Int {
            // Everything appended so far is in the outbox: the file can start again, and stays small on a
            // worker that runs for months.
            if bytes >= Self.compactionSize, committed.load(ordering: .acquiring) == appended {
                if ftruncate(descriptor, 0) == 0 { bytes = 0 }
            }
            var line = "\(jobID)\t\(code)\t\(enhancedStatus ?? "")\t"
            line.reserveCapacity(line.utf8.count + min(reply.utf8.count, 200) + 1)
            for byte in reply.utf8.prefix(200) {
                line.unicodeScalars.append(byte == 0x09 || byte == 0x0A || byte == 0x0D || byte >= 0x80 ? " " : Unicode.Scalar(byte))
            }
            line.append("\n")
            let written = line.utf8.withContiguousStorageIfAvailable { write(descriptor, $0.baseAddress, $0.count) }
                ?? Array(line.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 { bytes += written }
            if synchronous { fdatasync(descriptor) }
            appended += 1
            return appended
        }

        /// The coordinator committed the outcomes of every line up to `sequence`.
        func committed(through sequence: Int) {
            var current = committed.load(ordering: .relaxed)
            while sequence > current {
                let (exchanged, original) = committed.compareExchange(expected: current, desired: sequence, ordering: .releasing)
                if exchanged { break }
                current = original
            }
        }
    }

    /// A line appended, to be marked committed once its outcome is in the outbox.
    struct Mark: @unchecked Sendable {
        let writer: Writer
        let sequence: Int
    }
}
