import Foundation
import GRDB
import Store

extension SQLiteStore {
    static let apiTokenColumns = "id, name, token_hash, created_at, last_used_at"

    static func apiToken(_ row: Row) -> ApiToken {
        ApiToken(id: row[0], name: row[1], tokenHash: row[2], createdAt: row[3], lastUsedAt: row[4])
    }

    public func addApiToken(_ token: ApiToken) throws(StorageError) -> ApiToken? {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?)",
                           arguments: [token.name, token.tokenHash, token.createdAt])
            guard db.changesCount > 0 else { return nil }
            var added = token
            added.id = db.lastInsertedRowID
            return added
        }
    }

    public func removeApiToken(name: String) throws(StorageError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM api_tokens WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func apiTokens() throws(StorageError) -> [ApiToken] {
        try read { db in try Row.fetchAll(db, sql: "SELECT \(Self.apiTokenColumns) FROM api_tokens ORDER BY name").map(Self.apiToken) }
    }

    public func apiToken(tokenHash: Data) throws(StorageError) -> ApiToken? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.apiTokenColumns) FROM api_tokens WHERE token_hash = ?", arguments: [tokenHash]).map(Self.apiToken)
        }
    }

    public func markApiTokenUsed(id: Int64, at now: Date) throws(StorageError) {
        try write { db in try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [now, id]) }
    }
}
