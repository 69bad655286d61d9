import Foundation
import Store

/// The last-moment check on PostgreSQL: a connection of the sender thread's own (outside the pool, so the check
/// never waits for a pooled connection) with the statement prepared once. Each run is its own snapshot under
/// READ COMMITTED, so it sees every commit made before it began, from any host.
final class PostgresPermissionReader: SendPermissionReader {
    private let settings: PostgresSettings
    private var connection: PostgresConnection

    /// -- name: send-permission
    /// A person's consent, suppression and campaign; or, for a confirmation (a negative id, `ConfirmationJobID`),
    /// whether its registration request still waits, and its address's suppression (the last column says which).
    static let sql = """
        SELECT (SELECT granted FROM consents WHERE recipient_id = r.id AND purpose = $1),
               (SELECT reason FROM suppressions s WHERE s.address_hash = r.address_hash),
               (SELECT status FROM campaigns WHERE id = $2),
               FALSE
        FROM recipients r WHERE r.id = $3
        UNION ALL
        SELECT NULL,
               (SELECT reason FROM suppressions s WHERE s.address_hash = q.address_hash),
               (SELECT status FROM campaigns WHERE id = $2),
               TRUE
        FROM registration_requests q WHERE q.id = -$3::bigint
        """

    init(settings: PostgresSettings) throws(StorageError) {
        self.settings = settings
        connection = try Self.connect(settings)
    }

    private static func connect(_ settings: PostgresSettings) throws(StorageError) -> PostgresConnection {
        let connection = try PostgresConnection(settings)
        try connection.prepare("send_permission", sql)
        return connection
    }

    /// A connection that broke (a restart, a failover, an idle drop) is opened again and the check asked once
    /// more; if that fails too, the error goes to the sender, which defers the job.
    func permission(recipientID: Int64, purpose: Purpose?, campaignID: Int64) throws(StorageError) -> SendPermission {
        let parameters: [PostgresValue] = [.string(purpose?.rawValue), .integer(campaignID), .integer(recipientID)]
        let rows: [PostgresRow]
        do { rows = try connection.run(prepared: "send_permission", parameters) } catch {
            guard !connection.isHealthy else { throw error }
            connection = try Self.connect(settings)
            rows = try connection.run(prepared: "send_permission", parameters)
        }
        guard let row = rows.first else { return .noRecipient }
        // An unknown reason is still a suppression: failing the check (the job waits) is safe, sending is not.
        let reason = try row.string(1).map { (text) throws(StorageError) in try stored(text, as: SuppressionReason.self, column: "suppressions.reason") }
        return SendPermission(recipientExists: true, consentGranted: purpose == nil ? nil : row.bool(0) ?? false,
                              suppressionReason: reason, campaignCancelled: row.string(2) == CampaignStatus.cancelled.rawValue,
                              registrationWaiting: row.bool(3) == true)
    }
}

extension PostgresStore {
    public func makePermissionReader() throws(StorageError) -> any SendPermissionReader {
        try PostgresPermissionReader(settings: pool.settings)
    }
}
