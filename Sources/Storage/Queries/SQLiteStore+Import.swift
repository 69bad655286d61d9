import Foundation
import GRDB
import Store

extension SQLiteStore {
    /// A row matches what is stored when its name, first name, birth year, personal fields, products and granted
    /// purposes do.
    ///
    /// This is the import's hot loop: it drives SQLite directly (`BulkStatement`) inside a `bulkWrite`.
    public func importBatch(_ rows: [ImportRow], at now: Date) throws(StorageError) -> ImportTally {
        try bulkWrite { db in
            let insert = try BulkStatement(db, sql: """
                INSERT OR IGNORE INTO recipients (email, address_hash, name, birth_year, source, created_at, first_name, attributes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let find = try BulkStatement(db, sql: "SELECT id, name, birth_year, first_name, attributes FROM recipients WHERE address_hash = ?")
            let update = try BulkStatement(db, sql: "UPDATE recipients SET name = ?, birth_year = ?, first_name = ?, attributes = ? WHERE id = ?")
            let product = try BulkStatement(db, sql: "INSERT OR IGNORE INTO recipient_products (recipient_id, product) VALUES (?, ?)")
            let recorded = try BulkStatement(db, sql: "SELECT 1 FROM consents WHERE recipient_id = ? AND purpose = ?")
            let ledger = try BulkStatement(db, sql: Self.insertLedgerEntry)
            let grant = BulkStatement.Value.text(ConsentLedgerEntry.Action.grant.rawValue)
            let state = try BulkStatement(db, sql: "INSERT INTO consents (recipient_id, purpose, granted, updated_at) VALUES (?, ?, 1, ?)")
            let erased = try BulkStatement(db, sql: "SELECT 1 FROM suppressions WHERE address_hash = ? AND reason = 'erased'")
            let timestamp = BulkStatement.Value(String.fromDatabaseValue(now.databaseValue))
            var tally = ImportTally()
            for row in rows {
                let new = row.recipient
                let hash = BulkStatement.Value.blob(new.addressHash)
                let source = BulkStatement.Value.text(new.source)
                let notice = BulkStatement.Value(row.noticeHash)
                var changed = false
                // An erased person comes back only by confirming an invitation, never by an import.
                if try erased.firstRow(hash, read: { _ in true }) != nil {
                    tally.erased += 1
                    continue
                }
                // Inserting and looking up only when that was ignored is the cheapest order for new people,
                // who are most rows of most imports. (The address hash is the only constraint that can ignore it.)
                let created = try insert.execute(.text(new.email), hash, .init(new.name), .init(new.birthYear), source, timestamp,
                                                 .init(new.firstName), .init(PersonalFields.encode(new.attributes))) > 0
                let id: Int64
                if created {
                    id = insert.lastInsertedRowID
                } else {
                    guard let stored = try find.firstRow(hash, read: { ($0.integer(0), $0.text(1), $0.integer(2), $0.text(3), $0.text(4)) }),
                          let storedID = stored.0 else {
                        throw DatabaseError(message: "a recipient was neither inserted nor found")
                    }
                    id = storedID
                    let storedYear = stored.2.map(Int.init)
                    let name = new.name ?? stored.1
                    let year = new.birthYear ?? storedYear
                    let first = new.firstName ?? stored.3
                    let storedFields = PersonalFields.decode(stored.4)
                    let fields = storedFields.merging(new.attributes) { $1 }
                    if name != stored.1 || year != storedYear || first != stored.3 || fields != storedFields {
                        try update.execute(.init(name), .init(year), .init(first), .init(PersonalFields.encode(fields)), .integer(id))
                        changed = true
                    }
                }
                for name in new.products where try product.execute(.integer(id), .text(name)) > 0 {
                    changed = true
                }
                // Only a purpose with no recorded decision is granted: an old file must not undo a revocation
                // made since. A person created just now has no decisions yet, so there is no need to ask.
                for granted in row.grants {
                    let purpose = BulkStatement.Value.text(granted.rawValue)
                    guard try created || recorded.firstRow(.integer(id), purpose, read: { _ in true }) == nil else { continue }
                    try ledger.execute(.integer(id), purpose, grant, source, .null, notice, timestamp)
                    try state.execute(.integer(id), purpose, timestamp)
                    changed = true
                }
                if created { tally.created += 1 } else if changed { tally.updated += 1 } else { tally.unchanged += 1 }
            }
            return tally
        }
    }
}
