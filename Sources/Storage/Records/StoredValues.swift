import Foundation
import GRDB
import Store

// The store's plain values, read from and written to SQLite's rows. The values know nothing of GRDB; the
// mapping lives here, by column position in the SELECTs named beside each, so a schema change shows up in
// one file.

/// A stored text that must be one of an enum's cases. A value this version does not know is an error, never
/// a silent default: a campaign of an unknown kind must not become one that mails more people.
func stored<Value: RawRepresentable>(_ text: String, as _: Value.Type, column: String) throws -> Value where Value.RawValue == String {
    guard let value = Value(rawValue: text) else {
        throw StorageError(message: "\(column) holds '\(text)', which this version of Herald does not know")
    }
    return value
}

extension Recipient {
    static let columns = "id, email, address_hash, name, birth_year, source, created_at, first_name, attributes"

    init(row: Row) {
        self.init(id: row[0], email: row[1], addressHash: row[2], name: row[3], birthYear: row[4], source: row[5], createdAt: row[6],
                  firstName: row[7], attributes: PersonalFields.decode(row[8]))
    }

    static func fetchOne(_ db: Database, addressHash: Data) throws -> Recipient? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM recipients WHERE address_hash = ?", arguments: [addressHash]).map(Recipient.init(row:))
    }
}

extension Campaign {
    static let columns = """
        id, name, kind, template, segment, status, due_at, created_at, started_at, finished_at, policy_version, problem, \
        subject, preheader, body, body_format
        """

    init(row: Row) throws {
        self.init(id: row[0], name: row[1], kind: try stored(row[2], as: CampaignKind.self, column: "campaigns.kind"),
                  template: row[3], segment: row[4], status: try stored(row[5], as: CampaignStatus.self, column: "campaigns.status"),
                  dueAt: row[6], createdAt: row[7], startedAt: row[8], finishedAt: row[9], policyVersion: row[10], problem: row[11],
                  words: try CampaignWords.stored(subject: row[12], preheader: row[13], body: row[14], format: row[15]))
    }

    static func fetchAll(_ db: Database, where condition: String = "1", arguments: StatementArguments = [], order: String = "id") throws -> [Campaign] {
        try Row.fetchAll(db, sql: "SELECT \(columns) FROM campaigns WHERE \(condition) ORDER BY \(order)", arguments: arguments).map(Campaign.init(row:))
    }
}

extension PolicyVersion {
    static let columns = "seq, version, summary, text_hash, material, effective_at, published_at, adds_purpose"

    init(row: Row) throws {
        self.init(seq: row[0], version: row[1], summary: row[2], textHash: row[3], material: row[4], effectiveAt: row[5],
                  publishedAt: row[6], addsPurpose: try (row[7] as String?).map { try stored($0, as: Purpose.self, column: "policy_versions.adds_purpose") })
    }

    static func fetchAll(_ db: Database, where condition: String = "1", arguments: StatementArguments = []) throws -> [PolicyVersion] {
        try Row.fetchAll(db, sql: "SELECT \(columns) FROM policy_versions WHERE \(condition) ORDER BY seq", arguments: arguments).map(PolicyVersion.init(row:))
    }
}

extension ConsentState {
    static func fetchAll(_ db: Database, recipientID: Int64) throws -> [ConsentState] {
        try Row.fetchAll(db, sql: "SELECT recipient_id, purpose, granted, updated_at FROM consents WHERE recipient_id = ? ORDER BY purpose",
                         arguments: [recipientID]).map { row in
            ConsentState(recipientId: row[0], purpose: try stored(row[1], as: Purpose.self, column: "consents.purpose"),
                         granted: row[2], updatedAt: row[3])
        }
    }
}

extension ConsentLedgerEntry {
    static func fetchAll(_ db: Database, recipientID: Int64) throws -> [ConsentLedgerEntry] {
        try Row.fetchAll(db, sql: """
            SELECT id, recipient_id, purpose, action, source, policy_version, notice_hash, recorded_at
            FROM consent_ledger WHERE recipient_id = ? ORDER BY id
            """, arguments: [recipientID]).map { row in
            ConsentLedgerEntry(id: row[0], recipientId: row[1],
                               purpose: try (row[2] as String?).map { try stored($0, as: Purpose.self, column: "consent_ledger.purpose") },
                               action: try stored(row[3], as: Action.self, column: "consent_ledger.action"), source: row[4],
                               policyVersion: row[5], noticeHash: row[6], recordedAt: row[7])
        }
    }
}

extension StorageError {
    /// GRDB's and SQLite's failures, as the store reports them: the database's own message.
    init(path: String? = nil, underlying: any Error) {
        if var error = underlying as? StorageError {
            if error.path == nil { error.path = path }
            self = error
        } else if let error = underlying as? DatabaseError {
            self.init(path: path, message: error.message ?? "\(error.resultCode)")
        } else {
            self.init(path: path, message: "\(underlying)")
        }
    }
}
