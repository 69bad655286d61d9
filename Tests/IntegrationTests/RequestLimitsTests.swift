import Foundation
import Synchronization
import Testing

/// What one client may cost `herald serve` (Step 10, bounded work per request): multipart bodies built to make
/// the parser slow, requests that trickle in, and more connections than the cap. Over real HTTP, with the
/// limits made small in the sandbox's configuration.
@Suite(.serialized)
struct RequestLimitsTests {
    /// A POST with a raw body from a file, answered within `seconds` or reported as not answered (status 0).
    static func post(_ server: WebServer, _ path: String, body: [UInt8], contentType: String, seconds: Int = 5) throws -> Int {
        let file = server.sandbox.folder.appendingPathComponent("body-\(UUID().uuidString)")
        try Data(body).write(to: file)
        let result = try Sandbox.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", String(seconds),
                                                      "-X", "POST", "-H", "Content-Type: \(contentType)", "--data-binary", "@\(file.path)",
                                                      "http://127.0.0.1:\(server.port)\(path)"])
        return result.status == 0 ? Int(result.stdout) ?? 0 : 0
    }

    /// The attacker's body: a boundary of 7,999 dashes and an `x`, 16 KB of dashes. Refused at once by the
    /// boundary rule; the longest allowed near miss is searched for in linear time. Both well before 5 s.
    @Test func nearMissBoundariesAreAnsweredAtOnce() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions"]).status == 0)
        let path = try OneClickTests.unsubscribePath(sandbox, "ada@example.com", "promotions")
        let dashes = [UInt8](repeating: UInt8(ascii: "-"), count: 16 * 1024)
        let started = Date()
        #expect(try Self.post(server, path, body: dashes, contentType: "multipart/form-data; boundary=\(String(repeating: "-", count: 7999))x") == 400)
        #expect(try Self.post(server, path, body: dashes, contentType: "multipart/form-data; boundary=\(String(repeating: "-", count: 69))x") == 400)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try server.get("/healthz").status == 200)
        // A real one-click in multipart with the longest boundary allowed still unsubscribes.
        let boundary = String(repeating: "-", count: 69) + "x"
        let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--\(boundary)--\r\n"
        #expect(try Self.post(server, path, body: Array(body.utf8), contentType: "multipart/form-data; boundary=\(boundary)") == 200)
    }

    @Test func aBoundaryLongerThanSeventyCharactersIsRefused() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions"]).status == 0)
        let path = try OneClickTests.unsubscribePath(sandbox, "ada@example.com", "promotions")
        let boundary = String(repeating: "b", count: 71)
        let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--\(boundary)--\r\n"
        #expect(try Self.post(server, path, body: Array(body.utf8), contentType: "multipart/form-data; boundary=\(boundary)") == 400)
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com") == ["promotions grant admin"], "nothing was changed")
    }

    /// A head sent a byte at a time is cut off at `http.header_timeout`, however steadily the bytes come.
    @Test func aTricklingHeadIsClosedAtTheHeaderTimeout() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "  header_timeout: 1s\n")
        defer { server.stop(); sandbox.remove() }
        let connection = try RawConnection(port: server.port)
        let started = Date()
        var closedAfter: TimeInterval?
        for byte in "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + String(repeating: "a", count: 40) {
            guard connection.send(String(byte)), !connection.receive(timeout: 0.2).closed else {
                closedAfter = Date().timeIntervalSince(started)
                break
            }
        }
        #expect(closedAfter != nil, "still open after \(Date().timeIntervalSince(started)) s")
        #expect((closedAfter ?? 0) >= 0.8, "closed before the timeout: \(closedAfter ?? 0) s")
        #expect(try server.get("/healthz").status == 200)
    }

    /// A body that trickles is cut off at `http.body_timeout`; an idle kept-alive connection at `http.idle_timeout`.
    @Test func aTricklingBodyAndAnIdleConnectionAreClosed() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "  body_timeout: 1s\n  idle_timeout: 1s\n")
        defer { server.stop(); sandbox.remove() }
        let slowBody = try RawConnection(port: server.port)
        #expect(slowBody.send("POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"))
        var closed = false
        for _ in 0..<20 where !closed {
            slowBody.send("a")
            closed = slowBody.receive(timeout: 0.2).closed
        }
        #expect(closed, "a body still trickling in after 4 s")

        let idle = try RawConnection(port: server.port)
        #expect(idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        let answer = idle.receive(timeout: 4)
        #expect(answer.text.hasPrefix("HTTP/1.1 200") && answer.closed, "\(answer)")
    }

    /// Past the blocking pool and `http.max_queued_work`, a page that needs the database is answered 503 with
    /// `Retry-After` at once instead of waiting in an unbounded queue; `/healthz` and one-click, which need no
    /// place there, keep answering meanwhile.
    @Test func pastTheQueueWorkIsRefused503WhileHealthzAndOneClickAnswer() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "  max_queued_work: 1\n")
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions"]).status == 0)
        let path = try OneClickTests.unsubscribePath(sandbox, "ada@example.com", "promotions")
        let answers = Mutex<[String]>([])
        let flood = DispatchGroup()
        let port = server.port
        for _ in 0..<48 {
            flood.enter()
            Thread {
                defer { flood.leave() }
                for _ in 0..<10 {
                    guard let connection = try? RawConnection(port: port) else { continue }
                    connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    let head = connection.receive(timeout: 10).text.components(separatedBy: "\r\n\r\n")[0].lowercased()
                    answers.withLock { $0.append(head) }
                }
            }.start()
        }
        for _ in 0..<5 {
            #expect(try server.get("/healthz").status == 200)
            #expect(try server.post(path, form: "List-Unsubscribe=One-Click").status == 200)
        }
        flood.wait()
        let heads = answers.withLock { $0 }
        let busy = heads.filter { $0.hasPrefix("http/1.1 503") }
        #expect(!busy.isEmpty, "48 at once past a queue of 1: some must be refused")
        #expect(busy.allSatisfy { $0.contains("retry-after: 2") })
        #expect(heads.allSatisfy { $0.hasPrefix("http/1.1 503") || $0.hasPrefix("http/1.1 200") }, "\(Set(heads.map { $0.prefix(12) }))")
    }

    /// At the cap, a connection that has waited more than half a second for its request makes room for a new one:
    /// a client holding more connections than the cap cannot keep everyone else out until they time out.
    @Test func atTheCapTheLongestWaitingConnectionMakesRoom() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "  max_connections: 3\n")
        defer { server.stop(); sandbox.remove() }
        let held = try (0..<3).map { _ in try RawConnection(port: server.port) }
        held[0].send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  // a head that never ends
        Thread.sleep(forTimeInterval: 1)
        #expect(try server.get("/healthz").status == 200, "a fresh connection at the cap")
        let closed = held.filter { $0.receive(timeout: 1).closed }
        #expect(closed.count == 1, "one slow connection made room, not \(closed.count)")
    }

    /// Past `http.max_connections` a new connection is not served; once the others close, a fresh one is.
    @Test func connectionsPastTheCapAreNotServed() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "  max_connections: 3\n")
        defer { server.stop(); sandbox.remove() }
        var held = try (0..<3).map { _ in try RawConnection(port: server.port) }
        Thread.sleep(forTimeInterval: 0.1)  // accepted and counted, and younger than the half second that lets one make room
        let extra = try RawConnection(port: server.port)
        extra.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let refused = extra.receive(timeout: 3)
        #expect(refused.closed && !refused.text.contains(" 200 "), "\(refused)")
        #expect(refused.text.isEmpty || refused.text.hasPrefix("HTTP/1.1 503"), "\(refused)")

        held.removeAll()
        var status = 0
        let deadline = Date().addingTimeInterval(5)
        while status != 200, Date() < deadline {
            status = (try? server.get("/healthz").status) ?? 0
            if status != 200 { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(status == 200, "a fresh connection after the others closed")
    }
}
