import Foundation
import Store

/// How a worker tells which other workers still run, when they may be on other machines.
///
/// Each worker beats (`FleetStore.heartbeat`) every few seconds with the machine it runs on, from a thread of
/// its own, before it claims anything. An owner is gone when it signed off, when it runs on this machine and its
/// process is gone (seen at once), or when it runs elsewhere and has not beaten for `staleAfter`. An owner the
/// fleet does not know is taken for alive (it may have beaten after the fleet was read): its lease expiry
/// still brings its jobs back. A send journal is only ever on the machine its worker ran on, so a journal's
/// owner the fleet does not know (a worker of an older version) is checked by its process id.
struct WorkerFleet {
    /// This machine and process namespace: the kernel's boot id (two containers on one host share it) and the
    /// pid namespace (processes in one can signal each other), with the host name to read it by.
    static let host: String = {
        let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown-boot"
        let namespace = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")) ?? "pid:[unknown]"
        return "\(ProcessInfo.processInfo.hostName)/\(boot)/\(namespace)"
    }()

    let presences: [String: WorkerPresence]
    let now: Date
    let staleAfter: TimeInterval

    init(_ presences: [WorkerPresence], now: Date, staleAfter: TimeInterval) {
        self.presences = Dictionary(presences.map { ($0.owner, $0) }, uniquingKeysWith: { $1 })
        self.now = now
        self.staleAfter = staleAfter
    }

    func isAlive(_ owner: String) -> Bool {
        guard let presence = presences[owner] else { return true }
        if presence.signedOff { return false }
        if presence.host == Self.host { return OutboxWorker.processIsAlive(owner) }
        return now.timeIntervalSince(presence.lastBeat) < staleAfter
    }

    /// For the owner of a send journal found on this machine.
    func ranHereIsAlive(_ owner: String) -> Bool {
        presences[owner] == nil ? OutboxWorker.processIsAlive(owner) : isAlive(owner)
    }

    /// Workers sending now (alive and beaten recently), this one included.
    var liveCount: Int {
        presences.values.filter { isAlive($0.owner) && now.timeIntervalSince($0.lastBeat) < staleAfter }.count
    }
}
