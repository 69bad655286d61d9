import Foundation

/// aiosmtpd on a free loopback port, started for one test and stopped after it. Messages land in `spool`.
final class SMTPTestServer {
    let process = Process()
    let port: Int
    let spool: String
    private let input = Pipe()

    /// `behaviour` adds the script's fault options (`--defer-once ADDR`, `--drop ADDR`, `--slow S`, `--tls CERT:KEY`,
    /// `--auth USER:PASS`); see Tests/Support/smtp_server.py.
    init(spool: String, rejecting rejections: [String: Int] = [:], refusingSendersWith refusal: Int? = nil,
         behaviour: [String] = [], host: String = "127.0.0.1") throws {
        self.spool = spool
        let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/smtp_server.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--spool", spool] + rejections.flatMap { ["--reject", "\($0.key)=\($0.value)"] }
            + (refusal.map { ["--refuse-mail", String($0)] } ?? []) + behaviour + ["--host", host]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.terminate()
            throw TestFailure("the test SMTP server did not start (is aiosmtpd installed? run scripts/test): '\(text)'")
        }
        self.port = port
    }

    /// The envelope and arrival details of every accepted message, in arrival order.
    func accepted() -> [[String: Any]] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return files.compactMap { file in
            FileManager.default.contents(atPath: spool + "/" + file).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
    }

    /// The recipients of every accepted message, in arrival order (one entry per message).
    func acceptedRecipients() -> [String] {
        accepted().flatMap { $0["rcpt_tos"] as? [String] ?? [] }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { stop() }
    }
}
