import Foundation
import GRDB
import Store
import Testing
@testable import Storage

/// Migration 6 rebuilds `campaigns` and `consent_ledger` (SQLite cannot change a CHECK): a database made by
/// the previous version keeps every row, every reference to them, the append-only rule and the id counters.
@Suite struct MigrationTests {
    @Test func aVersion5DatabaseKeepsItsRowsReferencesRulesAndCounters() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("v5-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "5-pending-registrations")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO recipients (id, email, address_hash, source, created_at) VALUES (1, 'a@example.com', x'01', 'test', '2026-01-01 00:00:00.000');
                INSERT INTO recipients (id, email, address_hash, source, created_at) VALUES (2, 'b@example.com', x'02', 'test', '2026-01-01 00:00:00.000');
                INSERT INTO consents (recipient_id, purpose, granted, updated_at) VALUES (1, 'promotions', 1, '2026-01-01 00:00:00.000');
                INSERT INTO consent_ledger (recipient_id, purpose, action, source, recorded_at) VALUES (1, 'promotions', 'grant', 'test', '2026-01-01 00:00:00.000');
                INSERT INTO consent_ledger (recipient_id, purpose, action, source, recorded_at) VALUES (2, 'promotions', 'grant', 'test', '2026-01-01 00:00:00.000');
                INSERT INTO campaigns (name, kind, template, status, due_at, created_at) VALUES ('one', 'promotion', 'promotion', 'done', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
                INSERT INTO campaigns (name, kind, template, status, due_at, created_at) VALUES ('two', 'promotion', 'promotion', 'done', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
                INSERT INTO outbox (campaign_id, recipient_id, state, next_attempt_at, queued_at) VALUES (1, 1, 'sent', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
                INSERT INTO delivery_attempts (job_id, attempted_at, outcome, code) VALUES (1, '2026-01-01 00:00:00.000', 'sent', 250);
                -- The newest rows went with an erased person: their ids must not come back.
                DELETE FROM consent_ledger WHERE recipient_id = 2;
                DELETE FROM campaigns WHERE id = 2;
                """)
        }
        try Migrations.migrator.migrate(queue)
        let (jobs, attempts, brokenReferences, status) = try queue.read { db throws -> (Int?, Int?, Int, String?) in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE campaign_id = 1"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery_attempts"),
             try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
             try String.fetchOne(db, sql: "SELECT status FROM campaigns WHERE id = 1"))
        }
        #expect(jobs == 1 && attempts == 1 && brokenReferences == 0 && status == "done")
        let store = try SQLiteStore(path: path)
        #expect(try store.ledger(ofRecipient: 1).map(\.action) == [.grant])
        #expect(throws: StorageError.self, "still append-only") {
            try store.write { db throws in try db.execute(sql: "UPDATE consent_ledger SET source = 'forged'") }
        }
        _ = try store.applyConsents([ConsentChange(purpose: .promotions, granted: false, source: "test", at: Date())], recipientID: 1, lifting: [])
        #expect(try store.ledger(ofRecipient: 1).map(\.id) == [1, 3], "the id of the deleted row is not given again")
        let next = try store.createCampaign(Campaign(name: "three", kind: .promotion, template: "promotion", segment: nil, dueAt: Date(), createdAt: Date()))
        #expect(next.id == 3)
        // Deleting a campaign still takes its outbox rows with it (the references point at the rebuilt table).
        try store.write { db throws in try db.execute(sql: "DELETE FROM campaigns WHERE id = 1") }
        let left = try store.read { db throws -> Int? in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") }
        #expect(left == 0)
    }
}
