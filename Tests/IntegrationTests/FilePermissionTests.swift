import Foundation
import Testing

/// Files that hold people's data or live tokens are their owner's alone whatever the umask (Step 10): the SQLite
/// database, its `-wal` and `-shm`, the send journals and the file transport's messages 0600, the folders Herald
/// makes for them 0700. A database left readable by others from before is named at the start of `serve` and
/// `worker`, with the fix, and they run anyway.
@Suite(.serialized)
struct FilePermissionTests {
    /// Runs the command under umask 022, as a default login shell would, so that nothing is 0600 by accident.
    static let underUmask022 = ["/bin/sh", "-c", "umask 022; exec \"$@\"", "sh"]

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? nil
    }

    static func octal(_ mode: Int?) -> String { mode.map { "0" + String($0, radix: 8) } ?? "missing" }

    @Test func everyFileHeraldWritesIsTheOwnersAloneWhateverTheUmask() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        // The database in folders that do not exist yet, so that Herald makes them.
        let state = sandbox.folder.appendingPathComponent("state").path
        let database = state + "/db/herald.sqlite"
        try sandbox.writeConfiguration()
        let yaml = try String(contentsOfFile: sandbox.configPath, encoding: .utf8)
        try yaml.replacingOccurrences(of: "database: \(sandbox.database)", with: "database: \(database)")
            .write(toFile: sandbox.configPath, atomically: true, encoding: .utf8)
        let csv = "email,consents\n" + (1...3).map { "p\($0)@example.com,product-news\n" }.joined()
        let file = sandbox.folder.appendingPathComponent("people.csv").path
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try Sandbox.run(Self.underUmask022[0], Array(Self.underUmask022.dropFirst()) + [Sandbox.heraldBinary, "recipients", "import", file,
                                                                                                         "--config", sandbox.configPath],
                                       environment: Sandbox.secretEnvironment, in: sandbox.folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news"])

        // A worker that keeps running: its journals exist until it stops, and the database's -wal and -shm while
        // it has the database open.
        let worker = try sandbox.startHerald(["worker"], inside: Self.underUmask022)
        defer { if worker.isRunning { worker.terminate(); worker.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(30)
        var messages: [String] = []
        while messages.count < 3, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            messages = ((try? FileManager.default.contentsOfDirectory(atPath: sandbox.mailFolder)) ?? []).filter { $0.hasSuffix(".eml") }
        }
        #expect(messages.count == 3, "\(messages)")
        let journals = ((try? FileManager.default.contentsOfDirectory(atPath: database + ".accepted")) ?? []).filter { $0.hasSuffix(".journal") }
        #expect(!journals.isEmpty, "a running worker has its journals")

        var files = [database, database + "-wal", database + "-shm"]
        files += messages.map { sandbox.mailFolder + "/" + $0 } + journals.map { database + ".accepted/" + $0 }
        for path in files {
            #expect(Self.mode(path) == 0o600, "\(path) is \(Self.octal(Self.mode(path)))")
        }
        for folder in [state, state + "/db", database + ".accepted", sandbox.mailFolder] {
            #expect(Self.mode(folder) == 0o700, "\(folder) is \(Self.octal(Self.mode(folder)))")
        }
        let log = (try? String(contentsOf: sandbox.folder.appendingPathComponent("background.err"), encoding: .utf8)) ?? ""
        #expect(!log.contains("chmod"), "nothing to warn about: \(log)")
        worker.terminate()
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0, "\(log)")
    }

    @Test func aDatabaseOthersCanReadIsNamedWithTheFixAndServeAndWorkerRunAnyway() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.writeConfiguration()
        try sandbox.registerPeople(2)
        #expect(Self.mode(sandbox.databasePath) == 0o600)
        let quiet = try sandbox.herald(["worker", "--until-idle"])
        #expect(quiet.status == 0 && !quiet.stderr.contains("chmod"), "\(quiet.stderr)")

        // As an older Herald, or a copy made by hand, would have left it.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: sandbox.databasePath)
        let worker = try sandbox.herald(["worker", "--until-idle"])
        #expect(worker.status == 0, "it still runs: \(worker.stderr)")
        let warnings = worker.stderr.split(separator: "\n").filter { $0.contains("chmod 600") }
        #expect(warnings.count == 1 && warnings[0].hasPrefix("herald: warning: ") && warnings[0].contains(sandbox.databasePath + " (mode 0644)"),
                "one line, naming the file and the fix: \(worker.stderr)")

        let server = try WebServer(sandbox)
        defer { server.stop() }
        #expect(try server.get("/healthz").status == 200, "it still serves")
        let served = server.serverLog().split(separator: "\n").filter { $0.contains("chmod 600 \(sandbox.databasePath)") }
        #expect(served.count == 1 && served[0].hasPrefix("herald: warning: "), "\(server.serverLog())")

        let report = try sandbox.herald(["report"])
        #expect(report.status == 0 && !report.stderr.contains("chmod"), "only serve and worker say it: \(report.stderr)")
    }
}
