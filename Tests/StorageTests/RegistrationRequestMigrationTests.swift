import Foundation
import GRDB
import Store
import Testing
@testable import Storage

/// Migration 9 on SQLite: the waiting registrations of before go as the sweep would have taken them, and the
/// outbox, rebuilt without its reference to recipients, keeps every row, index, counter and cascade it had.
@Suite struct RegistrationRequestMigrationTests {
    @Test func aVersion8DatabaseLosesOnlyWhatWaitedAndKeepsItsOutbox() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("v8-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "8-staff")
        let t = "'2026-01-01 00:00:00.000'"
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO recipients (id, email, address_hash, source, created_at) VALUES (1, 'ada@example.com', x'01', 'test', \(t));
                INSERT INTO recipients (id, email, address_hash, source, created_at) VALUES (2, 'waiting@example.com', x'02', 'form', \(t));
                INSERT INTO recipients (id, email, address_hash, source, created_at) VALUES (3, 'bob@example.com', x'03', 'test', \(t));
                INSERT INTO recipient_products (recipient_id, product) VALUES (2, 'kronos');
                INSERT INTO consent_ledger (recipient_id, purpose, action, source, recorded_at) VALUES (1, 'promotions', 'grant', 'test', \(t));
                INSERT INTO consent_ledger (recipient_id, purpose, action, source, recorded_at) VALUES (3, 'promotions', 'grant', 'test', \(t));
                INSERT INTO pending_registrations (recipient_id, purposes, requested_at, creates_recipient) VALUES (2, 'promotions', \(t), 1);
                INSERT INTO pending_registrations (recipient_id, purposes, requested_at, creates_recipient) VALUES (3, 'product-news', \(t), 0);
                INSERT INTO campaigns (id, name, kind, template, status, due_at, created_at) VALUES (1, 'c', 'confirmation', 'confirmation', 'sending', \(t), \(t));
                INSERT INTO campaigns (id, name, kind, template, status, due_at, created_at) VALUES (2, 'p', 'promotion', 'promotion', 'done', \(t), \(t));
                INSERT INTO outbox (id, campaign_id, recipient_id, state, next_attempt_at, queued_at) VALUES (1, 2, 1, 'sent', \(t), \(t));
                INSERT INTO outbox (id, campaign_id, recipient_id, state, next_attempt_at, queued_at) VALUES (2, 1, 2, 'queued', \(t), \(t));
                INSERT INTO outbox (id, campaign_id, recipient_id, state, next_attempt_at, queued_at) VALUES (3, 1, 3, 'queued', \(t), \(t));
                INSERT INTO outbox (id, campaign_id, recipient_id, state, next_attempt_at, queued_at, lease_owner) VALUES (9, 1, 1, 'sent', \(t), \(t), 'pid:1:x');
                INSERT INTO delivery_attempts (job_id, attempted_at, outcome, code) VALUES (1, \(t), 'sent', 250);
                INSERT INTO delivery_attempts (job_id, attempted_at, outcome, code) VALUES (2, \(t), 'deferred', 451);
                """)
        }
        try Migrations.migrator.migrate(queue)
        try queue.read { db throws in
            #expect(try Int64.fetchAll(db, sql: "SELECT id FROM recipients ORDER BY id") == [1, 3], "only the person a registration brought in goes")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recipient_products") == 0)
            #expect(try Int64.fetchAll(db, sql: "SELECT id FROM outbox ORDER BY id") == [1, 9], "waiting confirmations go; history stays")
            #expect(try String.fetchOne(db, sql: "SELECT lease_owner FROM outbox WHERE id = 9") == "pid:1:x")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery_attempts") == 1)
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' ORDER BY name")
                    == ["outbox_by_campaign", "outbox_by_recipient", "outbox_leased", "outbox_ready", "outbox_ready_confirmations", "sqlite_autoindex_outbox_1"])
            #expect(try Int.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") == 9, "the id counter is kept")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name = 'pending_registrations'") == 0)
        }
        let store = try SQLiteStore(path: path)
        let request = NewRegistrationRequest(email: "new@example.com", addressHash: Data([4]), name: nil, birthYear: nil, products: [], purposes: [.promotions],
                                             source: "form", mailboxHash: Data([4]), domainHash: Data([5]), challenged: true)
        #expect(try store.requestRegistration(request, limits: nil, at: Date()) == .queued(requestID: 1), "a negative recipient id is accepted")
        #expect(try store.outboxDepth() == [.sent: 2, .queued: 1])
        // Erasure still takes a person's outbox rows, and their attempts with them.
        #expect(try store.erase(addressHash: Data([1]), at: Date()))
        #expect(try store.outboxDepth() == [.queued: 1])
        #expect(try store.read { db throws in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery_attempts") } == 0)
        // Deleting a campaign still takes its outbox rows (the references point at the rebuilt table).
        try store.write { db throws in try db.execute(sql: "DELETE FROM campaigns WHERE kind = 'confirmation'") }
        #expect(try store.outboxDepth().isEmpty)
        #expect(try store.pendingPurposes(requestID: 1) == [.promotions], "a request is not a job: it waits until confirmed or expired")
    }
}
