import Foundation

/// Unpadded base64url (RFC 4648 §5): how Herald writes the random values it hands out (session cookies, API
/// tokens, generated secrets) and the MACs in its form values, so they fit in URLs, cookies and headers as is.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
