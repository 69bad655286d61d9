import Foundation
import GRDB
import Store

extension SQLiteStore {
    public func aggregateCounts() throws(StorageError) -> AggregateCounts {
        try read { db in
            var counts = AggregateCounts()
            counts.recipients = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recipients") ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT purpose, SUM(granted), SUM(NOT granted) FROM consents GROUP BY purpose") {
                counts.consents[try stored(row[0], as: Purpose.self, column: "consents.purpose")] = (row[1], row[2])
            }
            for row in try Row.fetchAll(db, sql: "SELECT product, COUNT(*) FROM recipient_products GROUP BY product") {
                counts.products[row[0]] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT birth_year, COUNT(*) FROM recipients GROUP BY birth_year") {
                counts.birthYears[row[0] as Int?] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT reason, COUNT(*) FROM suppressions GROUP BY reason") {
                counts.suppressions[try stored(row[0], as: SuppressionReason.self, column: "suppressions.reason")] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM outbox GROUP BY state") {
                counts.messages[try stored(row[0], as: OutboxState.self, column: "outbox.state")] = row[1]
            }
            return counts
        }
    }
}
