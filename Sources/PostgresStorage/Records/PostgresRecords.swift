import Foundation
import Store

// The store's plain values, read from PostgreSQL's rows by column position in the SELECTs named beside each
// (the same columns, in the same order, as the SQLite backend's), so a schema change shows up in one file.

/// A stored text that must be one of an enum's cases. A value this version does not know is an error, never a
/// silent default: a campaign of an unknown kind must not become one that mails more people.
func stored<Value: RawRepresentable>(_ text: String?, as _: Value.Type, column: String) throws(StorageError) -> Value where Value.RawValue == String {
    guard let text, let value = Value(rawValue: text) else {
        throw StorageError(message: "\(column) holds '\(text ?? "NULL")', which this version of Herald does not know")
    }
    return value
}

/// A column the schema declares NOT NULL came back empty: the schema and this version disagree.
func required<T>(_ value: T?, _ column: String) throws(StorageError) -> T {
    guard let value else { throw StorageError(message: "\(column) is empty, which the schema does not allow") }
    return value
}

extension Recipient {
    static let columns = "id, email, address_hash, name, birth_year, source, created_at, first_name, attributes::text"

    init(row: PostgresRow) throws(StorageError) {
        self.init(id: row.integer(0), email: try required(row.string(1), "recipients.email"),
                  addressHash: try required(row.bytes(2), "recipients.address_hash"), name: row.string(3), birthYear: row.int(4),
                  source: try required(row.string(5), "recipients.source"), createdAt: try required(row.date(6), "recipients.created_at"),
                  firstName: row.string(7), attributes: PersonalFields.decode(row.string(8)))
    }

    static func fetchOne(_ connection: PostgresConnection, addressHash: Data) throws(StorageError) -> Recipient? {
        try connection.query("SELECT \(columns) FROM recipients WHERE address_hash = $1", [.bytes(addressHash)]).first.map { (row) throws(StorageError) in try Recipient(row: row) }
    }
}

extension Campaign {
    static let columns = """
        id, name, kind, template, segment, status, due_at, created_at, started_at, finished_at, policy_version, problem, \
        subject, preheader, body, body_format
        """

    init(row: PostgresRow) throws(StorageError) {
        self.init(id: row.integer(0), name: try required(row.string(1), "campaigns.name"),
                  kind: try stored(row.string(2), as: CampaignKind.self, column: "campaigns.kind"),
                  template: try required(row.string(3), "campaigns.template"), segment: row.string(4),
                  status: try stored(row.string(5), as: CampaignStatus.self, column: "campaigns.status"),
                  dueAt: try required(row.date(6), "campaigns.due_at"), createdAt: try required(row.date(7), "campaigns.created_at"),
                  startedAt: row.date(8), finishedAt: row.date(9), policyVersion: row.string(10), problem: row.string(11),
                  words: try CampaignWords.stored(subject: row.string(12), preheader: row.string(13), body: row.string(14), format: row.string(15)))
    }

    static func fetchAll(_ connection: PostgresConnection, where condition: String = "TRUE", _ parameters: [PostgresValue] = [],
                         order: String = "id", locking: Bool = false) throws(StorageError) -> [Campaign] {
        var campaigns: [Campaign] = []
        for row in try connection.query("SELECT \(columns) FROM campaigns WHERE \(condition) ORDER BY \(order)\(locking ? " FOR UPDATE" : "")", parameters) {
            campaigns.append(try Campaign(row: row))
        }
        return campaigns
    }
}

extension PolicyVersion {
    static let columns = "seq, version, summary, text_hash, material, effective_at, published_at, adds_purpose"

    init(row: PostgresRow) throws(StorageError) {
        self.init(seq: row.integer(0), version: try required(row.string(1), "policy_versions.version"),
                  summary: try required(row.string(2), "policy_versions.summary"), textHash: try required(row.string(3), "policy_versions.text_hash"),
                  material: try required(row.bool(4), "policy_versions.material"), effectiveAt: try required(row.date(5), "policy_versions.effective_at"),
                  publishedAt: try required(row.date(6), "policy_versions.published_at"),
                  addsPurpose: try row.string(7).map { (text) throws(StorageError) in try stored(text, as: Purpose.self, column: "policy_versions.adds_purpose") })
    }

    static func fetchAll(_ connection: PostgresConnection, where condition: String = "TRUE", _ parameters: [PostgresValue] = []) throws(StorageError) -> [PolicyVersion] {
        var versions: [PolicyVersion] = []
        for row in try connection.query("SELECT \(columns) FROM policy_versions WHERE \(condition) ORDER BY seq", parameters) {
            versions.append(try PolicyVersion(row: row))
        }
        return versions
    }
}

extension ConsentState {
    static func fetchAll(_ connection: PostgresConnection, recipientID: Int64) throws(StorageError) -> [ConsentState] {
        var states: [ConsentState] = []
        for row in try connection.query("SELECT recipient_id, purpose, granted, updated_at FROM consents WHERE recipient_id = $1 ORDER BY purpose",
                                        [.integer(recipientID)]) {
            states.append(ConsentState(recipientId: try required(row.integer(0), "consents.recipient_id"),
                                       purpose: try stored(row.string(1), as: Purpose.self, column: "consents.purpose"),
                                       granted: try required(row.bool(2), "consents.granted"), updatedAt: try required(row.date(3), "consents.updated_at")))
        }
        return states
    }
}

extension ConsentLedgerEntry {
    static func fetchAll(_ connection: PostgresConnection, recipientID: Int64) throws(StorageError) -> [ConsentLedgerEntry] {
        var entries: [ConsentLedgerEntry] = []
        for row in try connection.query("""
            SELECT id, recipient_id, purpose, action, source, policy_version, notice_hash, recorded_at
            FROM consent_ledger WHERE recipient_id = $1 ORDER BY id
            """, [.integer(recipientID)]) {
            entries.append(ConsentLedgerEntry(
                id: row.integer(0), recipientId: try required(row.integer(1), "consent_ledger.recipient_id"),
                purpose: try row.string(2).map { (text) throws(StorageError) in try stored(text, as: Purpose.self, column: "consent_ledger.purpose") },
                action: try stored(row.string(3), as: Action.self, column: "consent_ledger.action"),
                source: try required(row.string(4), "consent_ledger.source"), policyVersion: row.string(5), noticeHash: row.string(6),
                recordedAt: try required(row.date(7), "consent_ledger.recorded_at")))
        }
        return entries
    }
}
