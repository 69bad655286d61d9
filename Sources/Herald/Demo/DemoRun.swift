import Foundation
import Store
import Tokens

/// `herald demo`: a whole run on a fresh, separate database with the file transport, so it works on a
/// fresh checkout with no mail server and never touches the real database.
public struct DemoRun {
    public struct Report: Sendable {
        public var database: String
        public var mailFolder: String
        public var registered: Int
        public var refusedUnder13: Int
        public var campaign: CampaignReport
        public var notQueued: [(reason: String, count: Int)]
        public var worker: WorkerProgress
        public var files: [String]
    }

    static let people: [(Registration, suppressed: Bool)] = [
        (Registration(email: "ada@example.com", name: "Ada Lovelace", birthdate: "1985-12-10", products: ["minilogue"], consents: [.productNews, .promotions], source: "demo"), false),
        (Registration(email: "grace@example.org", name: "Grace Hopper", products: ["minilogue", "kronos"], consents: [.productNews], source: "demo"), false),
        (Registration(email: "edouard@example.net", name: "Édouard Lucas", products: ["minilogue"], consents: [.productNews], source: "demo"), false),
        (Registration(email: "margaret@example.org", name: "Margaret Hamilton", products: ["minilogue"], consents: [.productNews], source: "demo"), false),
        (Registration(email: "alan@example.net", name: "Alan Turing", products: ["kronos"], consents: [.productNews], source: "demo"), false),
        (Registration(email: "linus@example.com", name: "Linus", products: ["minilogue"], consents: [.promotions], source: "demo"), false),
        (Registration(email: "bounced@example.com", name: "Old Address", products: ["minilogue"], consents: [.productNews], source: "demo"), true),
    ]

    /// Starts from nothing, but deletes only what an earlier demo made: never a folder holding anything else.
    static func clearDemoFolder(_ folder: String) throws(HeraldError) {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: folder) else { return }
        let demoEntries: Set<String> = ["herald.sqlite", "herald.sqlite-wal", "herald.sqlite-shm", "herald.sqlite.accepted", "mail"]
        guard Set(entries).isSubset(of: demoEntries) else {
            throw HeraldError(.usage, "\(folder) holds files the demo did not make; give the demo an empty or new --folder")
        }
        for entry in entries { try? manager.removeItem(atPath: folder + "/" + entry) }
    }

    public static func run(configuration base: HeraldConfiguration, folder: String = "var/demo",
                           progress: (@Sendable (WorkerProgress) -> Void)? = nil) throws(HeraldError) -> Report {
        var configuration = base
        // The demo has a database of its own, always a fresh SQLite file, whatever the configuration names.
        configuration.database = folder + "/herald.sqlite"
        configuration.postgres = nil
        configuration.journalDirectory = configuration.database + ".accepted"
        configuration.fileDir = folder + "/mail"
        configuration.transport = .file
        // Secrets of its own, never the shipped examples: its mail carries links signed like real ones.
        configuration.tokenKeys = [try! TokenKey(id: "demo", secret: Array(SecretsGenerator.random().utf8))]
        configuration.suppressionKey = Array(SecretsGenerator.random().utf8)
        configuration.http.sessionKey = Array(SecretsGenerator.random().utf8)
        try clearDemoFolder(folder)
        let app = try HeraldApp(configuration: configuration)

        for (person, suppressed) in people {
            try app.consent.register(person)
            if suppressed { try app.consent.suppress(email: person.email, reason: .bounced) }
        }
        // A child: refused before anything is written.
        var refused = 0
        let childBirthdate = ISO8601DateFormatter().string(from: app.clock().addingTimeInterval(-9 * 365 * 86_400)).prefix(10)
        do {
            try app.consent.register(Registration(email: "kid@example.com", birthdate: String(childBirthdate), consents: [.productNews], source: "demo"))
        } catch {
            refused += 1
        }

        let catalog = try app.catalog()
        let created = try app.campaigns.create(kind: .productNews, template: "product-news", catalog: catalog,
                                               segment: try Segment.parse("product:minilogue"), at: nil, name: "Minilogue firmware 2.0")
        // Queue the campaign now, then let one person withdraw before the worker runs: the last-moment check
        // must skip them.
        _ = try storage { () throws(StorageError) in try app.store.startDueCampaigns(now: app.clock()) { .send(CampaignService.audience(of: $0)) } }
        try app.consent.setConsent(email: "margaret@example.org", purpose: .productNews, granted: false, source: "one-click")

        let totals = try app.worker().run(untilIdle: true, progress: progress)
        let report = try app.campaigns.report(id: created.id)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: configuration.fileDir)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        let minilogue = people.filter { $0.0.products.contains("minilogue") }
        return Report(
            database: configuration.database, mailFolder: configuration.fileDir,
            registered: try storage { () throws(StorageError) in try app.store.recipientCount() },
            refusedUnder13: refused, campaign: report,
            notQueued: [
                ("not registered for minilogue", people.count - minilogue.count),
                ("no product-news consent", minilogue.filter { !$0.0.consents.contains(.productNews) }.count),
                ("address suppressed (bounced)", minilogue.filter { $0.suppressed }.count),
            ],
            worker: totals, files: files)
    }
}
