import Foundation
import Testing

/// The unsubscribe, preferences and registration pages in a real browser (chromium, driven by selenium), on a phone-sized
/// window: the button reached and pressed by keyboard, labels clicked, every input labelled, the stylesheet
/// applied under the strict Content-Security-Policy, no console errors. A screenshot of each page is kept in
/// `.build/test-artifacts/pages/` and checked not blank.
@Suite(.serialized)
struct BrowserTests {
    static let artifacts = Sandbox.packageRoot.appendingPathComponent(".build/test-artifacts/pages").path

    @Test func unsubscribeAndPreferencesWorkInABrowser() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "product-news"]).status == 0)
        let path = try OneClickTests.unsubscribePath(sandbox, "ada@example.com", "product-news")
        let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/browse_pages.py").path
        let run = try Sandbox.run("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(server.port)", path, Self.artifacts])
        let result = try run.json()
        let steps = result["steps"] as? [String: String] ?? [:]
        #expect(steps["keyboard"] == nil, "\(steps["keyboard"] ?? "")")
        #expect(steps["unsubscribe"]?.contains("Do you want to stop receiving") == true, "\(steps)")
        #expect(steps["unsubscribed"]?.contains("You will no longer receive") == true, "\(steps)")
        #expect(steps["preferences"]?.contains("Events and promotions") == true, "\(steps)")
        #expect(steps["saved"]?.contains("Your choices are saved") == true && steps["saved"]?.hasSuffix("checked: promotions") == true, "\(steps)")
        #expect(steps["registered"]?.contains("a mail is on its way") == true, "\(steps)")
        #expect((result["screenshots"] as? [String: String] ?? [:]) == ["unsubscribe": "ok", "unsubscribed": "ok", "preferences": "ok",
                                                                       "preferences-saved": "ok", "register": "ok", "registered": "ok"],
                "\(result["screenshots"] ?? "")")
        #expect((result["unlabelled"] as? [String])?.isEmpty == true, "\(result["unlabelled"] ?? "")")
        #expect(result["styled"] as? Bool == true, "the stylesheet did not apply")
        #expect((result["console"] as? [String])?.isEmpty == true, "\(result["console"] ?? "")")
        // What the browser did is what the ledger says.
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com")
                == ["product-news grant admin", "product-news revoke one-click", "promotions grant preferences"])
        // The form's registration waits for its confirmation: the address is stored, nothing else yet (the name
        // and the purposes wait), nothing granted.
        let grace = try sandbox.herald(["recipients", "export", "grace@example.org"]).json()
        #expect((grace["recipient"] as? [String: Any])?["name"] == nil && (grace["consents"] as? [Any])?.isEmpty == true, "\(grace)")
    }
}
