/// One signing key. `id` travels in the token so verification finds the key after rotation.
public struct TokenKey: Sendable, Equatable {
    public var id: String
    public var secret: [UInt8]

    /// Key ids are short and URL-safe; secrets need at least 16 bytes to be worth an HMAC.
    public init(id: String, secret: [UInt8]) throws(TokenError) {
        guard !id.isEmpty, id.utf8.count <= 32,
              id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { throw TokenError(.invalidKey, "a token key id must be 1 to 32 characters of A-Z, a-z, 0-9, - and _") }
        guard secret.count >= 16 else {
            throw TokenError(.invalidKey, "the secret of token key '\(id)' is shorter than 16 bytes")
        }
        self.id = id
        self.secret = secret
    }
}
