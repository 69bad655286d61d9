import Foundation
import GRDB
import Testing
import Store
@testable import Storage

/// What only the SQLite backend does: its file, its pragmas, its bulk path; and raw SQL against its schema.
struct SQLiteStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func person(_ email: String, hash: UInt8, products: [String] = []) -> NewRecipient {
        NewRecipient(email: email, addressHash: Data(repeating: hash, count: 32), name: nil, birthYear: nil, products: products, source: "test")
    }

    func grant(_ purpose: Purpose, _ granted: Bool = true, at date: Date? = nil) -> ConsentChange {
        ConsentChange(purpose: purpose, granted: granted, source: "test", at: date ?? now)
    }

    @Test func openingTwiceMigratesOnce() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)/herald.sqlite").path
        let first = try SQLiteStore(path: path).appliedMigrations()
        let second = try SQLiteStore(path: path).appliedMigrations()
        #expect(first == ["1-consent-store", "2-campaigns-outbox", "3-outbox-leases", "4-outbox-leased-index", "5-pending-registrations", "6-policy-versions", "7-fleet", "8-staff", "9-registration-requests", "10-sign-in-and-api-tokens", "11-campaign-words", "12-policy-text"])
        #expect(second == first)
        let mode = try SQLiteStore(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    /// A bulk write relaxes foreign-key checks and checkpoints for its own transaction only, and a failed one
    /// leaves nothing behind.
    @Test func bulkWritesRestoreTheConnectionAndRollBackWhole() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)/herald.sqlite").path
        let store = try SQLiteStore(path: path)
        let rows = [ImportRow(recipient: person("a@example.com", hash: 1, products: ["kronos"]), grants: [.promotions]),
                    ImportRow(recipient: person("b@example.com", hash: 2), grants: [])]
        #expect(try store.importBatch(rows, at: now) == { var tally = ImportTally(); tally.created = 2; return tally }())
        let settings = try store.write { db in
            (try Bool.fetchOne(db, sql: "PRAGMA foreign_keys"), try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"))
        }
        #expect(settings.0 == true && settings.1 == 1000)

        // A statement the schema refuses aborts the whole transaction.
        #expect(throws: StorageError.self) {
            try store.bulkWrite { db in
                try db.execute(sql: "INSERT INTO recipients (email, address_hash, source, created_at) VALUES ('e@example.com', x'05', 'test', '2027-01-01')")
                try db.execute(sql: "INSERT INTO recipient_products (recipient_id, product) VALUES (NULL, 'kronos')")
            }
        }
        #expect(try store.recipientCount() == 2, "the failed bulk write left a row behind")
        #expect(try store.write { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") } == true)
    }

    @Test func theLedgerIsAppendOnly() throws {
        let store = try SQLiteStore()
        _ = try store.register(person("ada@example.com", hash: 1), consents: [grant(.promotions)], lifting: [], at: now)
        #expect(throws: StorageError.self) {
            try store.write { db in try db.execute(sql: "UPDATE consent_ledger SET action = 'revoke'") }
        }
    }

    /// A suppression this version cannot name still stops the message: the check fails rather than pass.
    @Test func anUnknownSuppressionReasonFailsTheCheck() throws {
        let store = try SQLiteStore()
        let id = try store.register(person("a@example.com", hash: 1), consents: [grant(.promotions)], lifting: [], at: now).recipient.id!
        try store.write { db in
            try db.execute(sql: "INSERT INTO suppressions (address_hash, reason, created_at) VALUES (?, 'legal-hold', ?)",
                           arguments: [Data(repeating: 1, count: 32), now])
        }
        #expect(throws: StorageError.self) { try store.makePermissionReader().permission(recipientID: id, purpose: .promotions, campaignID: 0) }
    }

    /// The last-moment check on a database file opens a connection of its own per sender thread.
    @Test func theLastMomentCheckOnAFileHasItsOwnConnection() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-permission-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("herald.sqlite").path)
        let reader = try store.makePermissionReader()
        let id = try store.register(person("a@example.com", hash: 1), consents: [grant(.promotions)], lifting: [], at: now).recipient.id!
        #expect(try reader.permission(recipientID: id, purpose: .promotions, campaignID: 0).consentGranted == true)
        _ = try store.applyConsent(grant(.promotions, false), recipientID: id, lifting: [])
        #expect(try reader.permission(recipientID: id, purpose: .promotions, campaignID: 0).consentGranted == false, "a commit by another connection")
    }
}
