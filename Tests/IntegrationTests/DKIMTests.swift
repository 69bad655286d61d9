import Foundation
import Testing

/// DKIM as an independent verifier (dkimpy) sees it: `herald render` prints the signed message, which must
/// verify for every key shape Herald accepts, and stop verifying when a byte of the body or of the
/// one-click URL changes, or when a second From or Subject is put on top.
@Suite(.serialized)
struct DKIMTests {
    struct Key {
        var file: String
        var algorithm: String
        var record: String
    }

    /// Generates a key with the openssl tool and derives its DNS record the way an operator would.
    static func makeKey(_ kind: String, in folder: URL) throws -> Key {
        let file = folder.appendingPathComponent("\(kind).pem").path
        let script: String
        switch kind {
        case "rsa1024-pkcs1": script = "openssl genrsa -traditional -out \(file) 1024"
        case "rsa2048-pkcs8": script = "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out \(file)"
        case "rsa4096-pkcs1": script = "openssl genrsa -traditional -out \(file) 4096"
        default: script = "openssl genpkey -algorithm ed25519 -out \(file)"
        }
        let generated = try Sandbox.run("/bin/sh", ["-c", script + " 2>/dev/null"])
        guard generated.status == 0 else { throw TestFailure("\(script) failed: \(generated.stderr)") }
        if kind == "ed25519" {
            // The record holds the raw 32-byte key: the last 32 bytes of the DER public key.
            let raw = try Sandbox.run("/bin/sh", ["-c", "openssl pkey -in \(file) -pubout -outform DER | tail -c 32 | base64 -w0"])
            return Key(file: file, algorithm: "ed25519-sha256", record: "v=DKIM1; k=ed25519; p=\(raw.stdout)")
        }
        let der = try Sandbox.run("/bin/sh", ["-c", "openssl rsa -in \(file) -pubout -outform DER 2>/dev/null | base64 -w0"])
        return Key(file: file, algorithm: "rsa-sha256", record: "v=DKIM1; k=rsa; p=\(der.stdout)")
    }

    func verify(_ message: String, key: Key, in sandbox: Sandbox) throws -> [String: Any] {
        let path = sandbox.folder.appendingPathComponent("message.eml").path
        try Data(message.utf8).write(to: URL(fileURLWithPath: path))
        let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/verify_dkim.py").path
        return try Sandbox.run("/usr/bin/env", ["python3", script, path, key.record]).json()
    }

    @Test(arguments: ["rsa1024-pkcs1", "rsa2048-pkcs8", "rsa4096-pkcs1", "ed25519"])
    func renderedMessagesVerifyAndTamperingBreaksThem(kind: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let key = try Self.makeKey(kind, in: sandbox.folder)
        try sandbox.writeConfiguration(extra: "dkim:\n  selector: s2026\n  key_file: \(key.file)\n  algorithm: \(key.algorithm)")
        let added = try sandbox.herald(["recipients", "add", "zoe@example.com", "--name", "Zoë \"Z\" Ångström-Łukasiewicz",
                                        "--product", "minilogue", "--consent", "product-news"])
        #expect(added.status == 0, "\(added.stderr)")
        let rendered = try sandbox.herald(["render", "--template", "product-news", "--to", "zoe@example.com"])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stdout.replacingOccurrences(of: "\r\n\t", with: " ")
            .hasPrefix("DKIM-Signature: v=1; a=\(key.algorithm); c=relaxed/relaxed; d=example.com; s=s2026;"))
        #expect(!rendered.stdout.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "a bare LF in the message")

        let verdict = try verify(rendered.stdout, key: key, in: sandbox)
        #expect(verdict["valid"] as? Bool == true, "dkimpy rejects the signature: \(verdict)")
        #expect(verdict["algorithm"] as? String == key.algorithm)
        #expect(verdict["body_changed"] as? Bool == false, "a changed body still verifies")
        #expect(verdict["unsubscribe_changed"] as? Bool == false, "a changed List-Unsubscribe still verifies")
        #expect(verdict["second_from"] as? Bool == false, "an added From still verifies (From must be oversigned)")
        #expect(verdict["second_subject"] as? Bool == false, "an added Subject still verifies (Subject must be oversigned)")
        #expect((verdict["defects"] as? [String])?.isEmpty == true, "\(verdict["defects"] ?? "")")
    }

    /// Signed messages take their own path through the worker (composed ahead, beside each connection): every
    /// one that reaches the server verifies, whichever connection sent it.
    @Test(arguments: ["rsa2048-pkcs8", "ed25519"])
    func signedCampaignMessagesVerifyAtTheServer(kind: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let spool = sandbox.folder.appendingPathComponent("spool").path
        let server = try SMTPTestServer(spool: spool)
        defer { server.stop() }
        let key = try Self.makeKey(kind, in: sandbox.folder)
        try sandbox.writeConfiguration(smtpPort: server.port,
                                       extra: "dkim:\n  selector: s2026\n  key_file: \(key.file)\n  algorithm: \(key.algorithm)")
        let people = (0..<6).map { "person\($0)@example\($0 % 3).com" }
        for (index, email) in people.enumerated() {
            let added = try sandbox.herald(["recipients", "add", email, "--name", index % 2 == 0 ? "Zoë Ångström \(index)" : "Ed \(index)",
                                            "--product", "minilogue", "--consent", "product-news"])
            #expect(added.status == 0, "\(added.stderr)")
        }
        _ = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--name", "Signed news"])
        let worker = try sandbox.herald(["worker", "--until-idle"])
        #expect(worker.status == 0, "\(worker.stderr)")

        let files = try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasSuffix(".eml") }
        #expect(files.count == people.count)
        for file in files {
            let message = try String(contentsOfFile: spool + "/" + file, encoding: .utf8)
            let verdict = try verify(message, key: key, in: sandbox)
            #expect(verdict["valid"] as? Bool == true, "\(file): dkimpy rejects the signature: \(verdict)")
            #expect(verdict["body_changed"] as? Bool == false, "\(file): a changed body still verifies")
        }
    }

    @Test func aKeyThatDoesNotFitIsAConfigurationError() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let key = try Self.makeKey("ed25519", in: sandbox.folder)
        try sandbox.writeConfiguration(extra: "dkim:\n  selector: s1\n  key_file: \(key.file)\n  algorithm: rsa-sha256")
        let result = try sandbox.herald(["init"])
        #expect(result.status == 78)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("dkim.key_file"), "\(result.stderr)")
        #expect(result.stderr.contains("not an RSA private key") && !result.stderr.contains("PRIVATE KEY"))
    }

    @Test func unsubscribeURLsNeedARegisteredPerson() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.writeConfiguration()
        try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "promotions"])
        let url = try sandbox.herald(["unsubscribe-url", "ada@example.com", "--purpose", "promotions"])
        #expect(url.status == 0 && url.stdout.hasPrefix("https://mail.example.com/u/") && !url.stdout.contains("ada"))
        let unknown = try sandbox.herald(["unsubscribe-url", "nobody@example.com"])
        #expect(unknown.status == 65 && unknown.stderr.hasPrefix("herald: error: "))
        let badTemplate = try sandbox.herald(["render", "--template", "nope", "--to", "ada@example.com"])
        #expect(badTemplate.status == 65 && badTemplate.stderr.contains("no template named 'nope'"))
    }
}
