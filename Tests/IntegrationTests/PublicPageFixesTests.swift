import Foundation
import Testing

/// The public pages and command-line papercuts of Step 11: a refused registration keeps what was typed and
/// says what is wrong as an error; products are registered from the form, and only those it offers; a
/// confirmation link opened again says it was confirmed; checkboxes sit before their labels on the same line;
/// a typo in a subcommand is named with the nearest; `serve` says where the console is; `templates check`
/// misses no page that `serve` needs.
@Suite(.serialized)
struct PublicPageFixesTests {
    static let year = Calendar(identifier: .gregorian).component(.year, from: Date())

    /// The value an `<input>` of this id carries on the page, if any.
    static func value(of id: String, in page: String) -> String? {
        guard let input = page.range(of: #"<input[^>]*id="\#(id)"[^>]*>"#, options: .regularExpression).map({ String(page[$0]) }),
              let value = input.range(of: #"value="[^"]*""#, options: .regularExpression) else { return nil }
        return String(input[value].dropFirst(7).dropLast())
    }

    static func isChecked(_ id: String, in page: String) -> Bool {
        page.range(of: #"<input[^>]*id="\#(id)"[^>]*\schecked[^>]*>"#, options: .regularExpression) != nil
    }

    @Test func aRefusedFormKeepsWhatWasTypedAndShowsTheProblemAsAnError() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "register:\n  products: [minilogue, kronos]\n")
        defer { server.stop(); sandbox.remove() }
        let blank = try server.get("/register")
        #expect(blank.status == 200 && Self.value(of: "email", in: blank.body) == "" && !blank.body.contains("role=\"alert\""), "\(blank.body)")

        // No kind of mail ticked: refused, and everything typed and ticked is still there.
        let refused = try server.post("/register", form: "email=ada%40example.com&name=Ada+%22Countess%22+Lovelace&birthdate=1990-04-01&products=kronos")
        #expect(refused.status == 400, "\(refused.body)")
        #expect(refused.body.contains(#"<p class="notice error" role="alert">choose at least one kind of mail to receive</p>"#), "\(refused.body)")
        #expect(Self.value(of: "email", in: refused.body) == "ada@example.com")
        #expect(Self.value(of: "name", in: refused.body) == "Ada &quot;Countess&quot; Lovelace", "escaped, as every value")
        #expect(Self.value(of: "birthdate", in: refused.body) == "1990-04-01")
        #expect(Self.isChecked("product-kronos", in: refused.body) && !Self.isChecked("product-minilogue", in: refused.body))
        // A bad address: the ticked kinds of mail stay ticked.
        let badAddress = try server.post("/register", form: "email=ada-at-example.com&birthdate=1990-04-01&purposes=promotions")
        #expect(badAddress.status == 400 && badAddress.body.contains("invalid email address"))
        #expect(Self.isChecked("purpose-promotions", in: badAddress.body) && !Self.isChecked("purpose-product-news", in: badAddress.body))
        #expect(Self.value(of: "email", in: badAddress.body) == "ada-at-example.com")
        let stylesheet = try server.get("/herald.css")
        #expect(stylesheet.body.contains(".notice.error {"), "an error looks like one")

        // A child's refused form is the adult's, field for field: the age is not looked at before the rest passes.
        let adult = try server.post("/register", form: "email=a1%40example.com&birthdate=1980-01-01")
        let child = try server.post("/register", form: "email=a1%40example.com&birthdate=\(Self.year - 10)-01-01")
        #expect(child.status == adult.status && RegistrationTests.withoutChallenge(child.body)
                == RegistrationTests.withoutChallenge(adult.body).replacingOccurrences(of: "1980-01-01", with: "\(Self.year - 10)-01-01"))
        // Refused for the age: the neutral answer, the birth date nowhere in it, nothing stored.
        let under13 = try server.post("/register", form: "email=kid.q9%40example.com&name=Kid+Q9&birthdate=\(Self.year - 9)-03-04&purposes=promotions")
        let accepted = try server.post("/register", form: "email=grown.q9%40example.com&birthdate=1980-03-04&purposes=promotions")
        #expect(under13.status == 200 && under13.body == accepted.body, "\(under13.body)")
        #expect(!under13.body.contains("\(Self.year - 9)-03-04") && !under13.body.contains("Kid Q9") && !under13.body.contains("role=\"alert\""))
        #expect(sandbox.databaseFiles().range(of: Data("kid.q9".utf8)) == nil)
    }

    @Test func theFormRegistersTheProductsItOffersAndNoOthers() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "register:\n  products: [minilogue, kronos]\n")
        defer { server.stop(); sandbox.remove() }
        let page = try server.get("/register")
        for product in ["minilogue", "kronos"] {
            #expect(page.body.contains(#"<input type="checkbox" id="product-\#(product)" name="products" value="\#(product)">"#), "\(page.body)")
        }
        // A product the form does not offer is refused, with the form and its error; nothing waits.
        let other = try server.post("/register", form: "email=eve%40example.com&birthdate=1980-01-01&purposes=product-news&products=buy-now")
        #expect(other.status == 400 && other.body.contains("role=\"alert\"") && other.body.contains("&#39;buy-now&#39; is not one of the products offered here"),
                "\(other.body)")
        let json = try server.post("/register", body: #"{"email": "eve@example.com", "birthdate": "1980-01-01", "purposes": ["product-news"], "products": ["buy-now"]}"#,
                                   contentType: "application/json")
        #expect(json.status == 400, "register.products is set: JSON takes only those too")
        let eve = try sandbox.herald(["recipients", "export", "eve@example.com"])
        #expect(eve.status == 65 && eve.stderr.contains("nothing is stored about that address"), "\(eve.stdout)")

        // Chosen on the form, stored with the request, the person's products once confirmed.
        let answer = try server.post("/register", form: "email=ada%40example.com&birthdate=1980-01-01&purposes=product-news&products=kronos")
        #expect(answer.status == 200 && answer.body.contains("Check your inbox"), "\(answer.body)")
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let link = try #require(try RegistrationTests.confirmPaths(in: sandbox.mailFolder, for: "ada@example.com").first)
        #expect(try server.post(link, form: "").status == 200)
        let ada = try sandbox.herald(["recipients", "export", "ada@example.com"]).json()
        #expect(ada["products"] as? [String] == ["kronos"], "\(ada)")
        let campaign = try sandbox.createCampaign(["--kind", "product-news", "--template", "product-news", "--segment", "product:kronos"])
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        #expect(try sandbox.campaignReport(campaign).counts["sent"] == 1, "the web's registrant is in the product's segment")
    }

    @Test func withoutAListTheFormOffersTheProductsHeraldKnowsAndJSONNamesAny() throws {
        let sandbox = try Sandbox()
        try sandbox.writeConfiguration()
        #expect(try sandbox.herald(["recipients", "add", "bob@example.com", "--product", "opsix", "--consent", "product-news"]).status == 0)
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        let page = try server.get("/register")
        #expect(page.body.contains(#"id="product-opsix""#), "\(page.body)")
        let form = try server.post("/register", form: "email=ada%40example.com&birthdate=1980-01-01&purposes=product-news&products=wavestate")
        #expect(form.status == 400, "the form takes only what it offers")
        let json = try server.post("/register", body: #"{"email": "ada@example.com", "birthdate": "1980-01-01", "purposes": ["product-news"], "products": ["wavestate"]}"#,
                                   contentType: "application/json")
        #expect(json.status == 202, "JSON names any product, as the contract has it: \(json.body)")
    }

    @Test func aConfirmationLinkOpenedAgainSaysItWasConfirmed() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try server.post("/register", form: "email=ada%40example.com&birthdate=1980-01-01&purposes=promotions").status == 200)
        #expect(try server.post("/register", form: "email=bob%40example.com&birthdate=1980-01-01&purposes=promotions").status == 200)
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let link = try #require(try RegistrationTests.confirmPaths(in: sandbox.mailFolder, for: "ada@example.com").first)
        let other = try #require(try RegistrationTests.confirmPaths(in: sandbox.mailFolder, for: "bob@example.com").first)
        #expect(try server.post(link, form: "").body.contains("Your registration is confirmed"))
        for again in [try server.get(link), try server.post(link, form: "")] {
            #expect(again.status == 200 && again.body.contains("This registration was confirmed already"), "\(again.status) \(again.body)")
            #expect(!again.body.contains("invalid") && !again.body.contains("expired"))
        }
        #expect(try OneClickTests.ledger(sandbox, "ada@example.com") == ["promotions grant form"], "confirmed once")
        // Another request's link still waits; a tampered link is still refused, and says nothing of either.
        #expect(try server.get(other).body.contains("Confirm my registration"))
        var tampered = Array(link)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        let bad = try server.get(String(tampered))
        #expect(bad.status == 400 && !bad.body.contains("confirmed already"), "\(bad.status) \(bad.body)")
    }

    @Test func checkboxesSitBeforeTheirLabelsOnTheSameLineInABrowser() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox, extra: "register:\n  products: [minilogue, kronos]\n")
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "product-news"]).status == 0)
        let preferences = try PreferencesTests.preferencesPath(server, sandbox, "ada@example.com")
        let script = Sandbox.packageRoot.appendingPathComponent("Tests/Support/check_layout.py").path
        let run = try Sandbox.run("/usr/bin/env", ["python3", script, "http://127.0.0.1:\(server.port)", BrowserTests.artifacts, "/register", preferences])
        let result = try run.json(as: [String: [[String: Any]]].self)
        #expect(result.keys.sorted() == ["preferences@1280", "preferences@390", "register@1280", "register@390"], "\(result)")
        for (page, boxes) in result {
            #expect(boxes.count == (page.hasPrefix("register") ? 4 : 2), "\(page): \(boxes)")
            for box in boxes {
                #expect(box["same_line"] as? Bool == true && box["before"] as? Bool == true, "\(page): \(box)")
            }
        }
    }

    @Test func aSubcommandTypoIsNamedWithTheNearest() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        for (arguments, expected) in [
            (["staff", "ad", "x@example.com"], "herald: error: unknown command 'ad' for 'herald staff'; did you mean 'add'?"),
            (["campaign", "lst"], "herald: error: unknown command 'lst' for 'herald campaign'; did you mean 'list'?"),
            (["policy", "publsh", "--version", "1"], "herald: error: unknown command 'publsh' for 'herald policy'; did you mean 'publish'?"),
            (["api-tokens", "zzzzzzzz"], "herald: error: unknown command 'zzzzzzzz' for 'herald api-tokens' (see herald api-tokens --help)"),
        ] {
            let result = try sandbox.herald(arguments, withConfig: false)
            #expect(result.status == 64 && result.stderr.hasPrefix(expected) && result.stderr.split(separator: "\n").count == 1,
                    "\(arguments): \(result.status) \(result.stderr)")
        }
        let help = try sandbox.herald(["staff", "--help"], withConfig: false)
        #expect(help.status == 0 && help.stdout.contains("add"), "help still works: \(help.stderr)")
        let missing = try sandbox.herald(["staff", "add"], withConfig: false)
        #expect(missing.status == 64 && !missing.stderr.contains("unknown command"), "a known command's own errors are its own: \(missing.stderr)")
    }

    @Test func serveSaysWhereTheConsoleIs() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        let line = "herald: notice: serving http://127.0.0.1:\(server.port) — console at http://127.0.0.1:\(server.port)/console\n"
        #expect(RegistrationTests.waitFor(5) { server.serverLog().contains(line) }, "\(server.serverLog())")
    }

    @Test func thePolicyPagesShowTheFullTextAVersionWasPublishedWith() throws {
        let sandbox = try Sandbox()
        let server = try WebServer(sandbox)
        defer { server.stop(); sandbox.remove() }
        #expect(try sandbox.herald(["recipients", "add", "ada@example.com", "--consent", "product-news"]).status == 0)
        let summary = sandbox.folder.appendingPathComponent("summary.txt"), text = sandbox.folder.appendingPathComponent("policy.txt")
        try "We now keep your birth year only.".write(to: summary, atomically: true, encoding: .utf8)
        try "1. Who we are\nExample Ltd keeps this list.\n\n2. What we keep\nYour address & your birth year, nothing else.\n"
            .write(to: text, atomically: true, encoding: .utf8)
        let published = try sandbox.herald(["policy", "publish", "--version", "v1", "--summary", summary.path, "--text", text.path,
                                            "--material", "--force"])
        #expect(published.status == 0, "\(published.stderr)")
        let page = try server.get("/policy")
        #expect(page.status == 200 && page.body.contains("The full policy") && page.body.contains("<p>1. Who we are Example Ltd keeps this list.</p>")
                && page.body.contains("Your address &amp; your birth year, nothing else."), "\(page.body)")
        // The person's own page for the material change carries it too.
        #expect(try sandbox.herald(["worker", "--until-idle"]).status == 0)
        let choice = try #require(try PolicyNoticeTests.choicePath(in: sandbox.mailFolder, for: "ada@example.com"))
        #expect(try server.get(choice).body.contains("Your address &amp; your birth year, nothing else."))
        // The same version with another text is refused; a version without one says it has none.
        try "Something else.".write(to: text, atomically: true, encoding: .utf8)
        let again = try sandbox.herald(["policy", "publish", "--version", "v1", "--summary", summary.path, "--text", text.path,
                                        "--material", "--force"])
        #expect(again.status == 65 && again.stderr.contains("with another full text"), "\(again.stderr)")
        #expect(try sandbox.herald(["policy", "publish", "--version", "v2", "--summary", summary.path]).status == 0)
        let second = try server.get("/policy")
        #expect(second.body.contains("was published with the summary above only") && second.body.contains("Version v2"), "\(second.body)")
    }

    @Test func templatesCheckNamesEachPageServeNeedsThatIsMissing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let templates = sandbox.folder.appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: Sandbox.packageRoot.appendingPathComponent("Templates"), to: templates)
        try sandbox.writeConfiguration()
        let yaml = try String(contentsOfFile: sandbox.configPath, encoding: .utf8)
            .replacingOccurrences(of: Sandbox.packageRoot.appendingPathComponent("Templates").path, with: templates.path)
        try yaml.write(toFile: sandbox.configPath, atomically: true, encoding: .utf8)
        let good = try sandbox.herald(["templates", "check"])
        #expect(!good.stdout.contains("herald serve needs it"), "\(good.stdout)")

        let pages = templates.appendingPathComponent("pages")
        for file in ["register.mustache", "herald.css"] { try FileManager.default.removeItem(at: pages.appendingPathComponent(file)) }
        let bad = try sandbox.herald(["templates", "check"])
        #expect(bad.status == 65 && bad.stdout.components(separatedBy: "herald serve needs it").count == 3, "\(bad.stdout)")
        for file in ["register.mustache", "herald.css"] {
            #expect(bad.stdout.contains(pages.path + "/\(file): missing; herald serve needs it"), "\(bad.stdout)")
        }

        // Every page the web face renders is one the check looks for: without any page, each is named.
        try FileManager.default.removeItem(at: pages)
        try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
        let none = try sandbox.herald(["templates", "check"]).stdout
        let sources = Sandbox.packageRoot.appendingPathComponent("Sources/HeraldHTTP")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        var rendered: Set<String> = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: #/page\("([a-z-]+)"/#) { rendered.insert(String(match.1)) }
        }
        #expect(rendered.count > 10 && rendered.contains("register"), "\(rendered)")
        for page in rendered.sorted() {
            #expect(none.contains(pages.path + "/\(page).mustache: missing; herald serve needs it"), "\(page) is not in PageCatalog.required")
        }
    }
}
