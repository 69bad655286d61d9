import Foundation

/// What a console account may do: marketing sees campaigns, templates and counts; an admin also people (one by
/// exact address), problems lists, staff and policy.
public enum StaffRole: String, Sendable, Codable, CaseIterable {
    case marketing, admin
}

/// A console account. The password is stored only as a memory-hard hash (`passwordHash`, scrypt, with its salt
/// and parameters in the string).
public struct StaffAccount: Sendable, Equatable, Codable {
    public var id: Int64?
    public var email: String
    public var role: StaffRole
    public var passwordHash: String
    public var createdAt: Date

    public init(id: Int64? = nil, email: String, role: StaffRole, passwordHash: String, createdAt: Date) {
        self.id = id
        self.email = email
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}
