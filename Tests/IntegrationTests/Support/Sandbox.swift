import Foundation
import TestDatabases

/// A throw-away folder with its own Herald configuration and database, and ways to run the real `herald`
/// binary and the Python helpers against it.
struct Sandbox {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static var heraldBinary: String {
        ProcessInfo.processInfo.environment["TEST_HERALD_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/herald").path
    }

    let folder: URL
    let backend: TestBackend
    /// `database:` in the configuration: the SQLite file, or a PostgreSQL database of this sandbox's own.
    let database: String
    /// What every `herald` run needs besides the configuration (the PostgreSQL password).
    let backendEnvironment: [String: String]
    var configPath: String { folder.appendingPathComponent("herald.yaml").path }
    var databasePath: String { folder.appendingPathComponent("herald.sqlite").path }
    var mailFolder: String { folder.appendingPathComponent("mail").path }
    /// Where the workers keep their send journals (`outbox.journal_dir`'s default).
    var journalFolder: String {
        backend == .sqlite ? databasePath + ".accepted" : folder.appendingPathComponent("var/herald.accepted").path
    }

    init(_ backend: TestBackend = .sqlite) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.backend = backend
        (database, backendEnvironment) = try backend.database(in: folder)
    }

    /// A sandbox on a PostgreSQL database the test made itself (on a cluster of its own).
    init(postgres url: String, environment: [String: String]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        backend = .postgres
        database = url
        backendEnvironment = environment
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The sandbox's secrets: fit for `serve` and `worker` (32 bytes or more, one per job, none an example), and
    /// fixed, so that a test can look for them in logs and files.
    static let tokenSecret = "integration-TOKEN-secret-0123456789abcdef"
    static let suppressionKey = "integration-SUPPRESSION-key-0123456789abcdef"
    static let sessionKey = "integration-SESSION-key-0123456789abcdef"
    /// What every `herald` the sandbox runs gets in its environment, under what a test gives: the session key
    /// (as a variable, so that a test's own `http:` section need not repeat it).
    static let secretEnvironment = ["HERALD_HTTP_SESSION_KEY": sessionKey]

    /// Writes a configuration: the file transport unless an SMTP port is given. `extra` lines are appended.
    func writeConfiguration(smtpPort: Int? = nil, publicURL: String = "https://mail.example.com", extra: String = "") throws {
        let transport = smtpPort == nil ? "file" : "smtp"
        let yaml = """
            database: \(database)
            templates: \(Self.packageRoot.appendingPathComponent("Templates").path)
            transport: \(transport)
            file_dir: \(mailFolder)
            public_url: \(publicURL)
            sender:
              from: "Example News <news@example.com>"
              postal_address: "Example Ltd, 1 Sample Street, Exampletown"
            smtp:
              url: smtp://127.0.0.1:\(smtpPort ?? 25)
              starttls: off
              connections: 2
            tokens:
              keys:
                - id: t1
                  secret: \(Self.tokenSecret)
            suppression:
              key: \(Self.suppressionKey)
            retry:
              backoff: 1s
              max_backoff: 2s
              max_attempts: 3
            \(extra)
            """
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard output parsed as JSON, after checking the exit status.
        func json<T>(as type: T.Type = [String: Any].self, expectingStatus expected: Int32 = 0) throws -> T {
            guard status == expected, let parsed = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? T else {
                throw TestFailure("exit \(status) (expected \(expected)), output not \(T.self): \(stderr)")
            }
            return parsed
        }
    }

    /// The database file, its WAL and its shared memory, concatenated: what a search for leaked data must cover.
    func databaseFiles() -> Data {
        ["", "-wal", "-shm"].reduce(into: Data()) { $0 += FileManager.default.contents(atPath: databasePath + $1) ?? Data() }
    }

    /// Runs `herald ARGS --config <sandbox config>` (unless `withConfig` is false).
    @discardableResult
    func herald(_ arguments: [String], withConfig: Bool = true, environment: [String: String] = [:], input: String? = nil) throws -> Result {
        try Self.run(Self.heraldBinary, arguments + (withConfig ? ["--config", configPath] : []),
                     environment: Self.secretEnvironment.merging(backendEnvironment) { $1 }.merging(environment) { $1 }, in: folder, input: input)
    }

    /// Starts `herald ARGS --config <sandbox config>` in the background; output goes to files in the sandbox.
    /// `inside` runs it through a command that execs it (`ip netns exec NAME`), so the process is herald's.
    func startHerald(_ arguments: [String], environment: [String: String] = [:], inside: [String] = [],
                     log: String = "background.err") throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: inside.first ?? Self.heraldBinary)
        process.arguments = Array(inside.dropFirst()) + (inside.isEmpty ? [] : [Self.heraldBinary]) + arguments + ["--config", configPath]
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HERALD_") }
        env.merge(Self.secretEnvironment) { $1 }
        env.merge(backendEnvironment) { $1 }
        env.merge(environment) { $1 }
        process.environment = env
        process.currentDirectoryURL = folder
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(log).path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent(log))
        try process.run()
        return process
    }

    /// Registers `count` people `p<n>@<domain>` with product-news consent, through one CSV import.
    func registerPeople(_ count: Int, domain: String = "example.com") throws {
        let csv = "email,consents\n" + (1...count).map { "p\($0)@\(domain),product-news\n" }.joined()
        let file = folder.appendingPathComponent("people.csv").path
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try herald(["recipients", "import", file])
        guard imported.status == 0 else { throw TestFailure("import failed: \(imported.stderr)") }
    }

    /// `herald campaign show ID --json`, parsed.
    func campaignReport(_ id: String) throws -> (status: String?, counts: [String: Int]) {
        let report = try herald(["campaign", "show", id, "--json"]).json()
        return (report["status"] as? String, report["counts"] as? [String: Int] ?? [:])
    }

    /// `herald campaign create …`, returning the id it prints.
    func createCampaign(_ arguments: [String]) throws -> String {
        let created = try herald(["campaign", "create"] + arguments)
        guard created.status == 0 else { throw TestFailure("campaign create failed (\(created.status)): \(created.stderr)") }
        return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `input`, if given, is the process's standard input (else it reads nothing).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
                    input: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HERALD_") }
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        // Read both pipes to the end before waiting, so a chatty process cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Every message in a folder, as Python's email package parses it.
    static func inspectMessages(in folder: String) throws -> [[String: Any]] {
        let script = packageRoot.appendingPathComponent("Tests/Support/inspect_messages.py").path
        return try run("/usr/bin/env", ["python3", script, folder]).json(as: [[String: Any]].self)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
