import Foundation
import Store
import TestDatabases
import Testing
@testable import Herald

/// The consent store's promises, on a real database file.
@Suite struct ConsentStoreTests {
    func write(_ csv: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString).csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The SQLite files' bytes. (PostgreSQL keeps a deleted row's bytes until the space is reused, as the
    /// README says; its erasure is checked through what the store returns.)
    func databaseBytes(_ app: HeraldApp) -> Data {
        guard app.configuration.postgres == nil else { return Data() }
        return ["", "-wal", "-shm"].reduce(into: Data()) { $0 += FileManager.default.contents(atPath: app.configuration.database + $1) ?? Data() }
    }

    @Test(arguments: TestBackend.allCases) func importKeepsGoodRowsReportsBadOnesAndIsIdempotent(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let path = try write("""
            email,name,birthdate,products,consents,source,favourite colour
            ada@example.com,Ada Lovelace,1985-12-10,minilogue;kronos,product-news;promotions,fair,blue
            grace@example.org,"Hopper, Grace",,minilogue,product-news,,
            not-an-address,Nobody,,,,,
            pay@example.com,Payer,,,,,4111 1111 1111 1111
            child@example.com,Little One,\(Calendar.current.component(.year, from: Date()) - 7)-03-03,,promotions,,
            x@example.com,X,,,newsletter,,
            short@example.com

            """)
        var warnings: [String] = []
        var rejections: [RecipientImporter.Rejection] = []
        let first = try app.importer.run(path: path, warn: { warnings.append($0) }, reject: { rejections.append($0) })
        #expect(first.created == 2 && first.rejected == 5 && first.rows == 7)
        #expect(warnings == ["\(path): ignoring unknown columns: favourite colour"])
        #expect(rejections.map(\.line) == [4, 5, 6, 7, 8])
        #expect(rejections[1].reason.contains("payment card"))
        for value in ["4111", "not-an-address", "pay@example.com", "child@example.com", "Little One"] {
            #expect(rejections.allSatisfy { !$0.reason.contains(value) }, "a rejection repeats \(value)")
        }
        #expect(rejections[2].reason == "under 13: refused, nothing stored", "the operator learns why, never the birth date")

        let bytes = databaseBytes(app)
        for absent in ["4111", "child@example.com", "Little One", "pay@example.com"] {
            #expect(bytes.range(of: Data(absent.utf8)) == nil, "\(absent) reached the database")
        }
        let ada = try app.personData.export(email: "ada@example.com")
        #expect(ada.products == ["kronos", "minilogue"] && ada.recipient?.birthYear == 1985 && ada.recipient?.source == "fair")
        #expect(ada.consentLedger.map(\.purpose) == [.productNews, .promotions])

        let second = try app.importer.run(path: path, warn: { _ in }, reject: { _ in })
        #expect(second.created == 0 && second.updated == 0 && second.unchanged == 2)
        #expect(try app.personData.export(email: "ada@example.com").consentLedger.count == 2, "a second import adds no ledger rows")
    }

    /// Batches are written on another thread, in order: a person who appears in several batches ends as the
    /// last row says, and the tally counts each row once.
    ///
    /// Within a batch, a repeated address is merged into its first row and written once, so that importing the
    /// same file again changes nothing (it reported "updated 2" for two disagreeing rows of one person).
    @Test(arguments: TestBackend.allCases) func aRepeatedAddressIsMergedSoTheSameFileChangesNothingTheSecondTime(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let path = try write("email,name,products,consents\nada@example.com,Ada,kronos,product-news\nADA@example.com,Ada Lovelace,minilogue,promotions\n")
        let first = try app.importer.run(path: path, warn: { _ in }, reject: { _ in })
        #expect(first.created == 1 && first.merged == 1 && first.updated == 0, "\(first)")
        let ada = try app.personData.export(email: "ada@example.com")
        #expect(ada.recipient?.name == "Ada Lovelace" && ada.products == ["kronos", "minilogue"] && ada.consentLedger.map(\.purpose) == [.productNews, .promotions])
        let again = try app.importer.run(path: path, warn: { _ in }, reject: { _ in })
        #expect(again.created == 0 && again.updated == 0 && again.unchanged == 1 && again.merged == 1, "\(again)")
    }
    @Test(arguments: TestBackend.allCases) func batchesAcrossTheWriterThreadKeepFileOrder(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        var csv = "email,name,products,consents\n"
        for index in 0..<25 { csv += "p\(index)@example.com,First \(index),kronos,product-news\n" }
        csv += "P3@Example.com,Second Three,minilogue,promotions\n"  // the same person as p3, in a later batch
        csv += "p4@example.com,First 4,kronos,product-news\n"          // a repeat that changes nothing
        let importer = RecipientImporter(store: app.store, hasher: app.hasher, batchSize: 4)
        let summary = try importer.run(path: try write(csv), warn: { _ in }, reject: { _ in })
        // The repeats are in later batches than their first rows: p3's updates it, p4's changes nothing.
        #expect(summary.rows == 27 && summary.created == 25 && summary.updated == 1 && summary.unchanged == 1 && summary.merged == 0, "\(summary)")
        let three = try app.personData.export(email: "p3@example.com")
        #expect(three.recipient?.name == "Second Three" && three.products == ["kronos", "minilogue"])
        #expect(three.consentLedger.map(\.purpose) == [.productNews, .promotions])
        #expect(try app.store.recipientCount() == 25)
    }

    /// An import only adds: a purpose the person revoked since stays revoked, however often the old file is imported.
    @Test(arguments: TestBackend.allCases) func anImportNeverUndoesARevocation(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let path = try write("email,consents\nada@example.com,product-news;promotions\n")
        _ = try app.importer.run(path: path, warn: { _ in }, reject: { _ in })
        try app.consent.setConsent(email: "ada@example.com", purpose: .promotions, granted: false, source: "one-click")
        let again = try app.importer.run(path: path, warn: { _ in }, reject: { _ in })
        #expect(again.unchanged == 1)
        let ada = try app.personData.export(email: "ada@example.com")
        #expect(ada.consents.first { $0.purpose == .promotions }?.granted == false)
        #expect(ada.consentLedger.map(\.action) == [.grant, .grant, .revoke])
    }

    @Test(arguments: TestBackend.allCases) func aHeaderWithoutEmailIsRefusedWhole(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        let path = try write("name,consents\nAda,promotions\n")
        #expect(throws: HeraldError.self) { try app.importer.run(path: path, warn: { _ in }, reject: { _ in }) }
        #expect(throws: HeraldError.self) { try app.importer.run(path: path + ".missing", warn: { _ in }, reject: { _ in }) }
    }

    /// Promise 3: access gives everything, erasure leaves only the keyed hash, and the address is gone from
    /// the database files.
    @Test(arguments: TestBackend.allCases) func eraseLeavesOnlyTheHashAndExportShowsIt(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "erase.me@example.com", name: "Erase Me", products: ["kronos"], consents: [.productNews], source: "test"))
        try app.consent.setConsent(email: "erase.me@example.com", purpose: .productNews, granted: false, source: "one-click")
        let before = try app.personData.export(email: "erase.me@example.com")
        #expect(before.consentLedger.map(\.action) == [.grant, .revoke])
        #expect(before.recipient?.name == "Erase Me")

        try app.personData.erase(email: "Erase.Me@EXAMPLE.com")
        let after = try app.personData.export(email: "erase.me@example.com")
        #expect(after.recipient == nil && after.consentLedger.isEmpty && after.suppression?.reason == .erased)
        let bytes = databaseBytes(app)
        #expect(bytes.range(of: Data("erase.me".utf8)) == nil, "the erased address survives in the database files")
        #expect(bytes.range(of: Data("Erase Me".utf8)) == nil, "the erased name survives in the database files")
        #expect(throws: HeraldError.self) { try app.personData.erase(email: "erase.me@example.com") }
        #expect(throws: HeraldError.self) { try app.personData.export(email: "never@example.com") }
    }

    /// Promise: erasure stays erasure. An import, a registration and a grant by an operator are refused; only
    /// the person's own confirmation of an invitation brings the address back.
    @Test(arguments: TestBackend.allCases) func anErasedAddressComesBackOnlyThroughItsOwnConfirmation(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "back@example.com", consents: [.promotions], source: "test"))
        try app.personData.erase(email: "back@example.com")

        let path = try write("email,consents\nback@example.com,promotions\n")
        let summary = try app.importer.run(path: path, warn: { _ in }, reject: { _ in })
        #expect(summary.erased == 1 && summary.rejected == 1 && summary.created == 0)
        #expect(throws: HeraldError.self) { try app.consent.register(Registration(email: "back@example.com", consents: [.promotions], source: "test")) }
        #expect(throws: HeraldError.self) { try app.consent.setConsent(email: "back@example.com", purpose: .promotions, granted: true, source: "admin") }
        _ = try app.campaigns.create(kind: .promotion, template: "promotion", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients.isEmpty)

        // The invitation's confirmation mail goes out (to an erased address, because the person asked), and
        // following its link lifts the erasure.
        #expect(try app.doubleOptIn.invite(Registration(email: "back@example.com", consents: [.promotions], source: "invite")) == .queued)
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["back@example.com"])
        let token = try #require(DoubleOptInTests.confirmToken(transport, to: "back@example.com"))
        #expect(try app.doubleOptIn.confirm(token: token, notice: { _ in "test notice" }) == [.promotions])
        _ = try app.campaigns.create(kind: .promotion, template: "promotion", catalog: try app.catalog(), segment: nil, at: nil, name: nil)
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["back@example.com", "back@example.com"])
    }

    @Test(arguments: TestBackend.allCases) func bouncesAndComplaintsAreNotLiftedByConsent(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.suppress(email: "angry@example.com", reason: .complaint)
        try app.consent.register(Registration(email: "angry@example.com", consents: [.promotions], source: "form"))
        #expect(try app.personData.export(email: "angry@example.com").suppression?.reason == .complaint)
    }

    @Test(arguments: TestBackend.allCases) func reportSuppressesSmallCellsAndNamesNobody(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        for index in 0..<12 {
            try app.consent.register(Registration(email: "p\(index)@example.com", birthdate: "1990-01-01", products: index < 3 ? ["rare"] : ["common"],
                                                  consents: [.productNews], source: "test"))
        }
        let report = try app.report(minimumCell: 10)
        #expect(report.recipients == 12)
        #expect(report.byProduct["common"]! == nil && report.byProduct["rare"]! == nil)  // 9 and 3: both under 10
        // All 12 granted product news, never asked for promotions and are of one age band: a 12 shown beside
        // hidden zeros would say so of each of them, so those cells are hidden too (AggregateReportTests).
        #expect(report.byPurpose["product-news"]?.granted == nil && report.byPurpose["promotions"]?.never == nil)
        #expect(report.byAgeBand.values.allSatisfy { $0 == nil })
        let loose = try app.report(minimumCell: 3)
        #expect(loose.byProduct["rare"]! == 3 && loose.byProduct["common"]! == 9)
        let encoded = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(!encoded.contains("@"))
    }

    @Test(arguments: TestBackend.allCases) func segmentsCombineProductsAndPurposes(_ backend: TestBackend) throws {
        let app = try TestApp.make(backend)
        try app.consent.register(Registration(email: "both@example.com", products: ["kronos"], consents: [.productNews, .promotions], source: "t"))
        try app.consent.register(Registration(email: "news@example.com", products: ["kronos"], consents: [.productNews], source: "t"))
        try app.consent.register(Registration(email: "other@example.com", products: ["minilogue"], consents: [.productNews, .promotions], source: "t"))
        _ = try app.campaigns.create(kind: .productNews, template: "product-news", catalog: try app.catalog(),
                                     segment: try Segment.parse("product:kronos,product:volca,purpose:promotions"), at: nil, name: nil)
        let transport = RecordingTransport()
        _ = try app.worker(transport: transport).run(untilIdle: true)
        #expect(transport.recipients == ["both@example.com"])
    }
}
