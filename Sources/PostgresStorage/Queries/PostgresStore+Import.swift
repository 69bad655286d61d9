import Foundation
import Store

extension PostgresStore {
    /// A batch goes to the server with `COPY` into a session table, then a few statements over the whole batch
    /// do what the SQLite backend does row by row: skip erased addresses, insert the new people, lock and update
    /// the known ones, add products, and grant only the purposes nobody decided yet (an old file must not undo
    /// a revocation made since). An address twice in one batch is written in two rounds, so the second row sees
    /// the first, as it would one row at a time.
    public func importBatch(_ rows: [ImportRow], at now: Date) throws(StorageError) -> ImportTally {
        var rounds: [[Int]] = []
        var seen: [Data: Int] = [:]
        for (index, row) in rows.enumerated() {
            let round = seen[row.recipient.addressHash, default: 0]
            seen[row.recipient.addressHash] = round + 1
            if rounds.count <= round { rounds.append([]) }
            rounds[round].append(index)
        }
        return try write { (db) throws(StorageError) in
            try db.execute("""
                CREATE TEMP TABLE IF NOT EXISTS herald_import (
                    ord INTEGER NOT NULL, email TEXT NOT NULL, address_hash BYTEA NOT NULL, name TEXT, birth_year INTEGER,
                    source TEXT NOT NULL, products TEXT NOT NULL, grants TEXT NOT NULL, notice_hash TEXT, first_name TEXT, attributes JSONB,
                    recipient_id BIGINT, created BOOLEAN NOT NULL DEFAULT FALSE) ON COMMIT DELETE ROWS
                """)
            var tally = ImportTally()
            for round in rounds {
                try db.execute("TRUNCATE herald_import")
                try db.copy("""
                    COPY herald_import (ord, email, address_hash, name, birth_year, source, products, grants, notice_hash, first_name, attributes) FROM STDIN
                    """,
                            lines: round.map { Self.copyLine(ord: $0, rows[$0]) }.joined())
                tally = try Self.importRound(count: round.count, now: now, in: db, adding: tally)
            }
            return tally
        }
    }

    private static func importRound(count: Int, now: Date, in db: PostgresConnection, adding tally: ImportTally) throws(StorageError) -> ImportTally {
        var tally = tally
        // An erased person comes back only by confirming an invitation, never by an import.
        tally.erased += try db.change("DELETE FROM herald_import i USING suppressions s WHERE s.address_hash = i.address_hash AND s.reason = 'erased'")
        var created = try db.change("""
            WITH inserted AS (
                INSERT INTO recipients (email, address_hash, name, birth_year, source, created_at, first_name, attributes)
                SELECT email, address_hash, name, birth_year, source, $1, first_name, attributes FROM herald_import ORDER BY ord
                ON CONFLICT (address_hash) DO NOTHING RETURNING id, address_hash)
            UPDATE herald_import i SET recipient_id = n.id, created = TRUE FROM inserted n WHERE n.address_hash = i.address_hash
            """, [.date(now)])
        // (New people get their ids in file order. Two imports adding the same new people at once, in other
        // orders, can deadlock; PostgreSQL then aborts one, and `write` runs it again.)
        // An erasure that committed while this insert waited on the erased row is seen by this later statement:
        // the person it would have brought back goes again, and the row counts as erased.
        let undone = try db.change("""
            DELETE FROM recipients r USING herald_import i, suppressions s
            WHERE i.created AND r.id = i.recipient_id AND s.address_hash = i.address_hash AND s.reason = 'erased'
            """)
        if undone > 0 {
            try db.query("DELETE FROM herald_import i USING suppressions s WHERE i.created AND s.address_hash = i.address_hash AND s.reason = 'erased'")
            created -= undone
            tally.erased += undone
        }
        tally.created += created
        // The people already stored: locked (in id order) before anything of theirs is read and changed.
        try db.query("SELECT r.id FROM recipients r JOIN herald_import i ON i.address_hash = r.address_hash WHERE NOT i.created ORDER BY r.id FOR NO KEY UPDATE OF r")
        try db.query("UPDATE herald_import i SET recipient_id = r.id FROM recipients r WHERE r.address_hash = i.address_hash AND NOT i.created")
        // Someone stored a moment ago and erased (or swept) since, before the lock: not written, counted as erased.
        tally.erased += try db.change("DELETE FROM herald_import WHERE recipient_id IS NULL")
        var changed = Set(try db.query("""
            UPDATE recipients r SET name = COALESCE(i.name, r.name), birth_year = COALESCE(i.birth_year, r.birth_year),
                first_name = COALESCE(i.first_name, r.first_name),
                attributes = NULLIF(COALESCE(r.attributes, '{}'::jsonb) || COALESCE(i.attributes, '{}'::jsonb), '{}'::jsonb)
            FROM herald_import i WHERE r.id = i.recipient_id AND NOT i.created
              AND (COALESCE(i.name, r.name) IS DISTINCT FROM r.name OR COALESCE(i.birth_year, r.birth_year) IS DISTINCT FROM r.birth_year
                   OR COALESCE(i.first_name, r.first_name) IS DISTINCT FROM r.first_name
                   OR NULLIF(COALESCE(r.attributes, '{}'::jsonb) || COALESCE(i.attributes, '{}'::jsonb), '{}'::jsonb) IS DISTINCT FROM r.attributes)
            RETURNING r.id
            """).compactMap { $0.integer(0) })
        changed.formUnion(try db.query("""
            INSERT INTO recipient_products (recipient_id, product)
            SELECT i.recipient_id, p FROM herald_import i, unnest(string_to_array(i.products, chr(31))) AS p WHERE i.products <> ''
            ON CONFLICT DO NOTHING RETURNING recipient_id
            """).compactMap { $0.integer(0) })
        changed.formUnion(try db.query("""
            WITH wanted AS (
                SELECT i.recipient_id, g.purpose, i.source, i.notice_hash, i.ord, g.n
                FROM herald_import i, unnest(string_to_array(i.grants, ',')) WITH ORDINALITY AS g(purpose, n)
                WHERE i.grants <> '' AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.recipient_id = i.recipient_id AND c.purpose = g.purpose)),
            ledger AS (
                INSERT INTO consent_ledger (recipient_id, purpose, action, source, policy_version, notice_hash, recorded_at)
                SELECT recipient_id, purpose, 'grant', source, (SELECT version FROM policy_versions ORDER BY seq DESC LIMIT 1), notice_hash, $1
                FROM wanted ORDER BY ord, n),
            state AS (
                INSERT INTO consents (recipient_id, purpose, granted, updated_at) SELECT recipient_id, purpose, TRUE, $1 FROM wanted)
            SELECT DISTINCT recipient_id FROM wanted
            """, [.date(now)]).compactMap { $0.integer(0) })
        let known = try db.query("SELECT recipient_id, created FROM herald_import")
        let updated = known.filter { $0.bool(1) == false && $0.integer(0).map(changed.contains) == true }.count
        tally.updated += updated
        tally.unchanged += known.count - created - updated
        return tally
    }

    /// One row in COPY's text format: tab-separated, `\N` for NULL, backslash, tab and line breaks escaped.
    static func copyLine(ord: Int, _ row: ImportRow) -> String {
        let new = row.recipient
        var seen: Set<Purpose> = []
        let grants = row.grants.filter { seen.insert($0).inserted }.map(\.rawValue).joined(separator: ",")
        let fields: [String?] = [String(ord), new.email, PostgresValue.bytes(new.addressHash).text, new.name, new.birthYear.map(String.init),
                                 new.source, new.products.joined(separator: "\u{1F}"), grants, row.noticeHash,
                                 new.firstName, PersonalFields.encode(new.attributes)]
        return fields.map { $0.map(copyEscaped) ?? "\\N" }.joined(separator: "\t") + "\n"
    }

    private static func copyEscaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 9 || $0 == 10 || $0 == 13 }) else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }
}
