import Foundation

/// One line of the audit log: who changed what, when. `subject` names a campaign, a policy version or a staff
/// account, never a recipient's address (an erasure names the keyed hash's first characters).
public struct AuditEntry: Sendable, Equatable, Codable {
    public var id: Int64?
    public var staffEmail: String
    public var action: String
    public var subject: String
    public var recordedAt: Date

    public init(id: Int64? = nil, staffEmail: String, action: String, subject: String, recordedAt: Date) {
        self.id = id
        self.staffEmail = staffEmail
        self.action = action
        self.subject = subject
        self.recordedAt = recordedAt
    }
}
