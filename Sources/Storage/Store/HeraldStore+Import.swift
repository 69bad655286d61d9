import Foundation
import GRDB

/// One valid row of an import, ready to write.
public struct ImportRow: Sendable {
    public var recipient: NewRecipient
    public var grants: [String]

    public init(recipient: NewRecipient, grants: [String]) {
        self.recipient = recipient
        self.grants = grants
    }
}

/// What a batch of import rows changed.
public struct ImportTally: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0

    public init() {}

    public static func += (lhs: inout ImportTally, rhs: ImportTally) {
        lhs.created += rhs.created
        lhs.updated += rhs.updated
        lhs.unchanged += rhs.unchanged
    }
}

extension HeraldStore {
    /// Writes a batch of import rows in one transaction with prepared statements. Idempotent: a row that
    /// matches what is stored (same name, birth year, products and granted purposes) writes nothing.
    /// An import never revokes and never lifts a suppression: it only adds.
    public func importBatch(_ rows: [ImportRow], at now: Date) throws(StorageError) -> ImportTally {
        try write { db in
            let find = try db.cachedStatement(sql: "SELECT id, name, birth_year FROM recipients WHERE address_hash = ?")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO recipients (email, address_hash, name, birth_year, source, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """)
            let update = try db.cachedStatement(sql: "UPDATE recipients SET name = ?, birth_year = ? WHERE id = ?")
            let product = try db.cachedStatement(sql: "INSERT OR IGNORE INTO recipient_products (recipient_id, product) VALUES (?, ?)")
            let current = try db.cachedStatement(sql: "SELECT granted FROM consents WHERE recipient_id = ? AND purpose = ?")
            let ledger = try db.cachedStatement(sql: """
                INSERT INTO consent_ledger (recipient_id, purpose, action, source, policy_version, notice_hash, recorded_at)
                VALUES (?, ?, 'grant', ?, NULL, NULL, ?)
                """)
            let state = try db.cachedStatement(sql: """
                INSERT INTO consents (recipient_id, purpose, granted, updated_at) VALUES (?, ?, 1, ?)
                ON CONFLICT (recipient_id, purpose) DO UPDATE SET granted = 1, updated_at = excluded.updated_at
                """)
            let timestamp = now.databaseValue
            var tally = ImportTally()
            for row in rows {
                let new = row.recipient
                var created = false, changed = false
                let id: Int64
                if let existing = try Row.fetchOne(find, arguments: [new.addressHash]) {
                    id = existing["id"]
                    let storedName: String? = existing["name"]
                    let storedYear: Int? = existing["birth_year"]
                    let name = new.name ?? storedName
                    let year = new.birthYear ?? storedYear
                    if name != storedName || year != storedYear {
                        try update.execute(arguments: [name, year, id])
                        changed = true
                    }
                } else {
                    try insert.execute(arguments: [new.email, new.addressHash, new.name, new.birthYear, new.source, timestamp])
                    id = db.lastInsertedRowID
                    created = true
                }
                for name in new.products {
                    try product.execute(arguments: [id, name])
                    changed = changed || db.changesCount > 0
                }
                for purpose in row.grants where try Bool.fetchOne(current, arguments: [id, purpose]) != true {
                    try ledger.execute(arguments: [id, purpose, new.source, timestamp])
                    try state.execute(arguments: [id, purpose, timestamp])
                    changed = true
                }
                if created { tally.created += 1 } else if changed { tally.updated += 1 } else { tally.unchanged += 1 }
            }
            return tally
        }
    }
}
