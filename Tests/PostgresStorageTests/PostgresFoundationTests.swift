import Foundation
@testable import PostgresStorage
import Store
import TestDatabases
import Testing

/// The PostgreSQL backend's foundation (Step 8, in progress): the URL, the connection through libpq, the schema
/// migrations, and the promise that the password is never printed.
@Suite struct PostgresSettingsTests {
    @Test func theURLNamesTheServerAndThePasswordStaysOut() throws {
        let settings = try PostgresSettings(url: "postgres://mailer:s3cret%21@db.example.com:6543/herald?sslmode=verify-full&connect_timeout=5")
        #expect(settings.user == "mailer" && settings.password == "s3cret!" && settings.host == "db.example.com" && settings.port == 6543)
        #expect(settings.database == "herald" && settings.sslMode == "verify-full" && settings.options.map(\.0) == ["connect_timeout"])
        #expect(settings.description == "mailer@db.example.com:6543/herald")
        let fromEnvironment = try PostgresSettings(url: "postgresql://mailer@db.example.com/herald", password: "from-env")
        #expect(fromEnvironment.password == "from-env" && fromEnvironment.port == 5432)
        #expect(PostgresSettings.isURL("postgresql://x@y/z") && !PostgresSettings.isURL("var/herald.sqlite"))
    }

    @Test(arguments: ["postgres://db.example.com/herald", "postgres://mailer@db.example.com/", "postgres://mailer@db.example.com/herald?sslmode=maybe",
                      "postgres://mailer@db.example.com/herald?password=x", "postgres://"])
    func aWrongURLIsRefusedWithoutEchoingIt(_ url: String) {
        #expect(throws: StorageError.self) { try PostgresSettings(url: url) }
    }
}

@Suite(.serialized) struct PostgresSchemaTests {
    @Test func theSchemaIsMigratedOnceWithTheSameHistoryAsSQLite() throws {
        let settings = try PostgresCluster.shared.freshDatabase()
        let store = try PostgresStore(settings: settings)
        #expect(try store.appliedMigrations() == ["1-consent-store", "2-campaigns-outbox", "3-outbox-leases", "4-outbox-leased-index",
                                                  "5-pending-registrations", "6-policy-versions", "7-fleet", "8-staff",
                                                  "9-registration-requests", "10-sign-in-and-api-tokens", "11-campaign-words", "12-policy-text"])
        // Opening it again (another worker, another machine) applies nothing.
        let connection = try PostgresConnection(settings)
        #expect(try PostgresMigrations.migrate(connection).isEmpty)
        #expect(try PostgresStore(settings: settings).appliedMigrations().count == PostgresMigrations.all.count)
    }

    @Test func theSchemaKeepsItsInvariants() throws {
        let connection = try PostgresConnection(try PostgresCluster.shared.freshDatabase())
        try PostgresMigrations.migrate(connection)
        let now = Date(timeIntervalSince1970: 1_796_115_600.25)
        let rows = try connection.query("""
            INSERT INTO recipients (email, address_hash, source, created_at) VALUES ($1, $2, 'test', $3) RETURNING id, address_hash, created_at
            """, [.string("ada@example.com"), .bytes(Data([0, 1, 0xfe, 0xff])), .date(now)])
        #expect(rows.first?.bytes(1) == Data([0, 1, 0xfe, 0xff]))
        #expect(rows.first?.date(2) == now, "timestamps keep their microseconds, in UTC")
        let id = try #require(rows.first?.integer(0))
        #expect(throws: StorageError.self, "one person per address hash") {
            try connection.query("INSERT INTO recipients (email, address_hash, source, created_at) VALUES ('x', $1, 'test', now())",
                                 [.bytes(Data([0, 1, 0xfe, 0xff]))])
        }
        try connection.query("INSERT INTO consent_ledger (recipient_id, purpose, action, source, recorded_at) VALUES ($1, 'promotions', 'grant', 'test', now())",
                             [.integer(id)])
        do {
            try connection.query("UPDATE consent_ledger SET source = 'forged'")
            Issue.record("the ledger took an update")
        } catch {
            #expect(error.message.contains("append-only"))
        }
        #expect(throws: StorageError.self, "a choice without a purpose is the only ledger row without one") {
            try connection.query("INSERT INTO consent_ledger (recipient_id, action, source, recorded_at) VALUES ($1, 'grant', 'test', now())", [.integer(id)])
        }
        try connection.query("INSERT INTO consent_ledger (recipient_id, action, source, recorded_at) VALUES ($1, 'accept', 'policy-page', now())", [.integer(id)])
        #expect(throws: StorageError.self) {
            try connection.query("INSERT INTO campaigns (name, kind, template, status, due_at, created_at) VALUES ('c', 'promotion', 'p', 'lost', now(), now())")
        }
    }

    @Test func aWrongPasswordIsRefusedAndNeverPrinted() throws {
        let wrong = "not-the-password-\(UUID().uuidString.prefix(6))"
        let settings = try PostgresCluster.shared.settings(database: "postgres", password: wrong)
        do {
            _ = try PostgresConnection(settings)
            Issue.record("connected with a wrong password")
        } catch {
            #expect(error.description.contains("herald@127.0.0.1:\(PostgresCluster.shared.port)/postgres"), "\(error)")
            #expect(error.description.contains("password authentication failed"), "\(error)")
            #expect(!error.description.contains(wrong))
        }
    }

    /// A server restart breaks every open connection without the client knowing: the pool's next call finds its
    /// idle connection dead before anything reached the server and runs again on a new one, and a sender's
    /// last-moment check opens its connection again. (A cluster of this test's own: restarting the shared one
    /// would break the tests running beside it.)
    @Test func theStoreReconnectsAfterTheServerRestarts() throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let store = try PostgresStore(settings: try cluster.freshDatabase(), connections: 2)
        #expect(try store.appliedMigrations().count == PostgresMigrations.all.count)
        let reader = try store.makePermissionReader()
        #expect(try reader.permission(recipientID: 1, purpose: nil, campaignID: 1) == .noRecipient)
        try cluster.restart()
        #expect(try store.appliedMigrations().count == PostgresMigrations.all.count, "the first call after the restart works")
        #expect(try reader.permission(recipientID: 1, purpose: nil, campaignID: 1) == .noRecipient)
    }
}
