import Foundation

/// aiosmtpd on a free loopback port, started for one test and stopped after it. Messages land in `spool`.
final class SMTPTestServer {
    let process = Process()
    let port: Int
    let spool: String
    private let input = Pipe()

    init(spool: String, rejecting rejections: [String: Int] = [:], refusingSendersWith refusal: Int? = nil) throws {
        self.spool = spool
        let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/smtp_server.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--spool", spool] + rejections.flatMap { ["--reject", "\($0.key)=\($0.value)"] }
            + (refusal.map { ["--refuse-mail", String($0)] } ?? [])
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

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { stop() }
    }
}
