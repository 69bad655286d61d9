import Foundation
import GRDB

/// Raw group counts, before small cells are suppressed (that is the application's job, and nothing here
/// identifies a person).
public struct AggregateCounts: Sendable, Equatable {
    public var recipients = 0
    /// purpose → (granted, revoked)
    public var consents: [String: (granted: Int, revoked: Int)] = [:]
    public var products: [String: Int] = [:]
    /// birth year (nil = not given) → count
    public var birthYears: [Int?: Int] = [:]
    public var suppressions: [String: Int] = [:]
    public var messages: [String: Int] = [:]

    public static func == (lhs: AggregateCounts, rhs: AggregateCounts) -> Bool {
        lhs.recipients == rhs.recipients && lhs.products == rhs.products && lhs.birthYears == rhs.birthYears
            && lhs.suppressions == rhs.suppressions && lhs.messages == rhs.messages
            && lhs.consents.mapValues { [$0.granted, $0.revoked] } == rhs.consents.mapValues { [$0.granted, $0.revoked] }
    }
}

extension HeraldStore {
    public func aggregateCounts() throws(StorageError) -> AggregateCounts {
        try read { db in
            var counts = AggregateCounts()
            counts.recipients = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recipients") ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT purpose, SUM(granted), SUM(NOT granted) FROM consents GROUP BY purpose") {
                counts.consents[row[0]] = (row[1], row[2])
            }
            for row in try Row.fetchAll(db, sql: "SELECT product, COUNT(*) FROM recipient_products GROUP BY product") {
                counts.products[row[0]] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT birth_year, COUNT(*) FROM recipients GROUP BY birth_year") {
                counts.birthYears[row[0] as Int?] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT reason, COUNT(*) FROM suppressions GROUP BY reason") {
                counts.suppressions[row[0]] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM outbox GROUP BY state") {
                counts.messages[row[0]] = row[1]
            }
            return counts
        }
    }
}
