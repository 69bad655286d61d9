import Foundation
import Store

/// The last-moment check on PostgreSQL: a connection of the sender thread's own (outside the pool, so the check
/// never waits for a pooled connection) with the statement prepared once. Each run is its own snapshot under
/// READ COMMITTED, so it sees every commit made before it began, from any host.
final class PostgresPermissionReader: SendPermissionReader {
    private let connection: PostgresConnection

    /// -- name: send-permission
    static let sql = """
        SELECT (SELECT granted FROM consents WHERE recipient_id = r.id AND purpose = $1),
               (SELECT reason FROM suppressions s WHERE s.address_hash = r.address_hash),
               (SELECT status FROM campaigns WHERE id = $2),
               (SELECT creates_recipient FROM pending_registrations WHERE recipient_id = r.id)
        FROM recipients r WHERE r.id = $3
        """

    init(settings: PostgresSettings) throws(StorageError) {
        connection = try PostgresConnection(settings)
        try connection.prepare("send_permission", Self.sql)
    }

    func permission(recipientID: Int64, purpose: Purpose?, campaignID: Int64) throws(StorageError) -> SendPermission {
        guard let row = try connection.run(prepared: "send_permission", [.string(purpose?.rawValue), .integer(campaignID), .integer(recipientID)]).first else {
            return .noRecipient
        }
        // An unknown reason is still a suppression: failing the check (the job waits) is safe, sending is not.
        let reason = try row.string(1).map { (text) throws(StorageError) in try stored(text, as: SuppressionReason.self, column: "suppressions.reason") }
        let waiting = row.bool(3)
        return SendPermission(recipientExists: true, consentGranted: purpose == nil ? nil : row.bool(0) ?? false,
                              suppressionReason: reason, campaignCancelled: row.string(2) == CampaignStatus.cancelled.rawValue,
                              registrationWaiting: waiting != nil, onlyRegistrationWaiting: waiting == true)
    }
}

extension PostgresStore {
    public func makePermissionReader() throws(StorageError) -> any SendPermissionReader {
        try PostgresPermissionReader(settings: pool.settings)
    }
}
