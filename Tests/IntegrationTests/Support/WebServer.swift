import Foundation

/// A running `herald serve` on a free loopback port of its own, and an HTTP client to it: the curl tool, an
/// independent client that shows every status and header as sent (it never follows a redirect unasked).
final class WebServer {
    let sandbox: Sandbox
    let port: Int
    private let process: Process

    /// Writes the sandbox's configuration with `http.listen` on a free port, starts `herald serve`, and waits
    /// until `/healthz` answers.
    init(_ sandbox: Sandbox, smtpPort: Int? = nil, extra: String = "", environment: [String: String] = [:], arguments: [String] = []) throws {
        self.sandbox = sandbox
        port = try Self.freePort()
        // The public URL is the server itself, so that the links on its pages lead back to it.
        try sandbox.writeConfiguration(smtpPort: smtpPort, publicURL: "http://127.0.0.1:\(port)", extra: "http:\n  listen: 127.0.0.1:\(port)\n" + extra)
        process = try sandbox.startHerald(["serve"] + arguments, environment: environment)
        let deadline = Date().addingTimeInterval(20)
        while (try? get("/healthz").status) != 200 {
            guard process.isRunning, Date() < deadline else {
                stop()
                let log = (try? String(contentsOf: sandbox.folder.appendingPathComponent("background.err"), encoding: .utf8)) ?? ""
                throw TestFailure("herald serve did not come up on port \(port): \(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// SIGTERM, and the exit status once it has stopped.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    struct Answer {
        var status: Int
        /// Lower-cased names.
        var headers: [String: String]
        var body: String
    }

    func get(_ path: String) throws -> Answer { try request(["-X", "GET"], path) }
    func head(_ path: String) throws -> Answer { try request(["-I"], path) }

    /// A urlencoded POST of `form` (already encoded, as a browser or a mailbox provider would send it).
    func post(_ path: String, form: String) throws -> Answer {
        try request(["-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", form], path)
    }

    /// A multipart/form-data POST of these fields.
    func post(_ path: String, multipart fields: [(String, String)]) throws -> Answer {
        try request(["-X", "POST"] + fields.flatMap { ["--form-string", "\($0.0)=\($0.1)"] }, path)
    }

    /// Any method, with extra curl arguments (headers) and, for a body, JSON.
    func request(_ method: String, _ path: String, headers: [String] = [], body: String? = nil) throws -> Answer {
        try request(["-X", method] + headers + (body.map { ["-H", "Content-Type: application/json", "--data-binary", $0] } ?? []), path)
    }

    /// What `herald serve` wrote on standard error.
    func serverLog() -> String {
        (try? String(contentsOf: sandbox.folder.appendingPathComponent("background.err"), encoding: .utf8)) ?? ""
    }

    /// A POST with a raw body and content type.
    func post(_ path: String, body: String, contentType: String) throws -> Answer {
        try request(["-X", "POST", "-H", "Content-Type: \(contentType)", "--data-binary", body], path)
    }

    private func request(_ arguments: [String], _ path: String) throws -> Answer {
        let result = try Sandbox.run("/usr/bin/env", ["curl", "-s", "-i", "--max-time", "20"] + arguments + ["http://127.0.0.1:\(port)\(path)"])
        guard result.status == 0 else { throw TestFailure("curl failed (\(result.status)) for \(path): \(result.stderr)") }
        let text = result.stdout
        let split = text.range(of: "\r\n\r\n")
        let head = split.map { String(text[..<$0.lowerBound]) } ?? text
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, headers: headers, body: split.map { String(text[$0.upperBound...]) } ?? "")
    }

    static func freePort() throws -> Int {
        let result = try Sandbox.run("/usr/bin/env", ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
        guard let port = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("no free port") }
        return port
    }
}
