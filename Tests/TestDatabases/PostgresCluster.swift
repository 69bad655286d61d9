import Foundation
import PostgresStorage
import Store

/// A PostgreSQL cluster of the test run's own: `initdb` into a temporary folder as an unprivileged user (the
/// server refuses root; as root the tests run it as the `postgres` user Debian's package creates), listening on
/// a free loopback port with password authentication, stopped and removed when the test process exits. One
/// cluster serves the whole run; each test takes a database of its own.
public final class PostgresCluster: @unchecked Sendable {
    public static let shared: PostgresCluster = {
        do { return try PostgresCluster() } catch { fatalError("cannot start the test PostgreSQL cluster (run scripts/test, which installs it): \(error)") }
    }()

    public let folder: URL
    public let port: Int
    public let password = "cluster-test-password-\(UUID().uuidString.prefix(8))"
    private let binaries: URL
    private let listenAddresses: String
    private let lock = NSLock()
    private var databases = 0

    /// `listen`: the addresses the server listens on; `clients`: further networks (CIDR) allowed to connect
    /// with the password (loopback always is). The shared cluster listens on 127.0.0.1 only.
    public init(listen: [String] = ["127.0.0.1"], clients: [String] = []) throws {
        listenAddresses = listen.joined(separator: ",")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
        guard let version = versions.last else { throw ClusterError("no PostgreSQL server in /usr/lib/postgresql (Debian package postgresql)") }
        binaries = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try password.write(to: folder.appendingPathComponent("pwfile"), atomically: true, encoding: .utf8)
        port = try Self.freePort()
        if getuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres", folder.path]) }
        try runAsServerUser("initdb", ["-D", folder.appendingPathComponent("data").path, "-U", "herald", "--auth=scram-sha-256",
                                       "--pwfile=" + folder.appendingPathComponent("pwfile").path, "--no-sync", "-E", "UTF8"])
        let hba = folder.appendingPathComponent("data/pg_hba.conf")
        let allowed = clients.map { "host all all \($0) scram-sha-256\n" }.joined()
        if !allowed.isEmpty, let handle = FileHandle(forWritingAtPath: hba.path) {
            handle.seekToEndOfFile()
            handle.write(Data(allowed.utf8))
            try handle.close()
        }
        try runAsServerUser("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "-w", "-l", folder.appendingPathComponent("server.log").path,
                                       "-o", "-p \(port) -k \(folder.path) -c listen_addresses=\(listenAddresses) -c fsync=off -c max_connections=200", "start"])
        let cluster = self
        atexit_b { cluster.stop() }
    }

    /// A new, empty database on the cluster, and the settings that reach it.
    public func freshDatabase() throws -> PostgresSettings {
        try settings(database: freshDatabaseName())
    }

    /// A new, empty database on the cluster (created with the server's own `createdb`).
    public func freshDatabaseName() throws -> String {
        lock.lock()
        databases += 1
        let name = "herald_test_\(databases)_\(getpid())"
        lock.unlock()
        try Self.run(binaries.appendingPathComponent("createdb").path, ["-h", "127.0.0.1", "-p", String(port), "-U", "herald", name],
                     environment: ["PGPASSWORD=" + password])
        return name
    }

    /// The `database:` value for a configuration (the password goes in `HERALD_DATABASE_PASSWORD`).
    public func url(database: String, host: String = "127.0.0.1") -> String {
        "postgres://herald@\(host):\(port)/\(database)?sslmode=disable"
    }

    public func settings(database: String, password: String? = nil) throws -> PostgresSettings {
        // Built from the URL, as a configuration would give it.
        try PostgresSettings(url: url(database: database), password: password ?? self.password)
    }

    public func stop() {
        try? runAsServerUser("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: folder)
    }

    /// Stops and starts the server again (what a restart does to clients' connections).
    public func restart() throws {
        try runAsServerUser("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "-w", "-m", "fast", "-l", folder.appendingPathComponent("server.log").path,
                                       "-o", "-p \(port) -k \(folder.path) -c listen_addresses=\(listenAddresses) -c fsync=off -c max_connections=200", "restart"])
    }

    private func runAsServerUser(_ tool: String, _ arguments: [String]) throws {
        let path = binaries.appendingPathComponent(tool).path
        if getuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try Self.run(path, arguments)
        }
    }

    /// Output goes to a file, not a pipe: the server `pg_ctl` starts inherits the descriptors and keeps them
    /// open. Spawned and waited for directly: Foundation's `Process` did not notice `runuser` end once the
    /// server it started lived on.
    private static func run(_ executable: String, _ arguments: [String], environment: [String] = []) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("herald-pg-tool-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // Nothing else of this process may reach the server pg_ctl leaves running: it would hold other tests'
        // pipes open (their readers would wait for an end that never comes).
        Self.closeFrom(3, in: &actions)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var environmentEntries: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) }
        var index = 0
        while let entry = environ[index] { environmentEntries.append(strdup(entry)); index += 1 }
        environmentEntries.append(nil)
        defer { environmentEntries.forEach { free($0) } }
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environmentEntries)
        guard spawned == 0 else { throw ClusterError("\(executable): cannot start (\(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exited == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw ClusterError("\(executable) \(arguments.first ?? ""): exit \(exited): \(text)")
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module hides.
    private static func closeFrom(_ first: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, first)
    }

    private static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw ClusterError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// `atexit` with a closure: the cluster is stopped however the test process ends normally.
private func atexit_b(_ body: @escaping @Sendable () -> Void) {
    AtExit.handlers.append(body)
    if AtExit.handlers.count == 1 { atexit { AtExit.handlers.forEach { $0() } } }
}

private enum AtExit {
    nonisolated(unsafe) static var handlers: [@Sendable () -> Void] = []
}
