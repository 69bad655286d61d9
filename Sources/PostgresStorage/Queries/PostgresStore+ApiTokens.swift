import Foundation
import Store

extension PostgresStore {
    static let apiTokenColumns = "id, name, token_hash, created_at, last_used_at"

    static func apiToken(_ row: PostgresRow) throws(StorageError) -> ApiToken {
        ApiToken(id: row.integer(0), name: try required(row.string(1), "api_tokens.name"),
                 tokenHash: try required(row.bytes(2), "api_tokens.token_hash"),
                 createdAt: try required(row.date(3), "api_tokens.created_at"), lastUsedAt: row.date(4))
    }

    public func addApiToken(_ token: ApiToken) throws(StorageError) -> ApiToken? {
        try write { (db) throws(StorageError) in
            guard let id = try db.query("""
                INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id
                """, [.string(token.name), .bytes(token.tokenHash), .date(token.createdAt)]).first?.integer(0)
            else { return nil }
            var added = token
            added.id = id
            return added
        }
    }

    public func removeApiToken(name: String) throws(StorageError) -> Bool {
        try write { (db) throws(StorageError) in try db.change("DELETE FROM api_tokens WHERE name = $1", [.string(name)]) > 0 }
    }

    public func apiTokens() throws(StorageError) -> [ApiToken] {
        try read { (db) throws(StorageError) in
            var tokens: [ApiToken] = []
            for row in try db.query("SELECT \(Self.apiTokenColumns) FROM api_tokens ORDER BY name COLLATE \"C\"") { tokens.append(try Self.apiToken(row)) }
            return tokens
        }
    }

    public func apiToken(tokenHash: Data) throws(StorageError) -> ApiToken? {
        try read { (db) throws(StorageError) in
            try db.query("SELECT \(Self.apiTokenColumns) FROM api_tokens WHERE token_hash = $1", [.bytes(tokenHash)]).first
                .map { (row) throws(StorageError) in try Self.apiToken(row) }
        }
    }

    public func markApiTokenUsed(id: Int64, at now: Date) throws(StorageError) {
        try write { (db) throws(StorageError) in
            try db.query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", [.date(now), .integer(id)])
        }
    }
}
