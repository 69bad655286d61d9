/// Finds Herald's tokens in addresses at the bounce domain: `b-TOKEN@DOMAIN` (the per-message return path) and
/// `u-TOKEN@DOMAIN` (the mailto unsubscribe address). The token is taken as opaque text of base64url characters,
/// 1 to `maximumLength` of them; whether it is genuine is for its verifier to say.
struct ReturnPathTokens {
    static let maximumLength = 256

    enum Kind: String {
        case bounce = "b-"
        case unsubscribe = "u-"
    }

    /// Lowercased.
    let domain: String

    init(domain: String) {
        self.domain = domain.trimmingWhitespace().lowercased()
    }

    /// The token of the first `KIND-TOKEN@DOMAIN` address in `text`; with `acceptingBare`, also `text` itself when it
    /// is `KIND-TOKEN` alone (an `Original-Envelope-Id` may carry just the local part).
    func token(_ kind: Kind, in text: String?, acceptingBare: Bool = false) -> String? {
        guard let text, !domain.isEmpty else { return nil }
        let bytes = Array(text.utf8.prefix(65_536))
        if acceptingBare, let bare = token(kind, in: bytes[...]) { return bare }
        let needle = Array(("@" + domain).utf8)
        var searchFrom = 0
        while let at = firstIndex(of: needle, in: bytes, from: searchFrom) {
            searchFrom = at + 1
            let after = at + needle.count
            // The domain must end there: `bounce.example.com.evil.test` is not it.
            if after < bytes.count, Self.isDomainByte(bytes[after]) { continue }
            var start = at
            while start > 0, at - start <= Self.maximumLength + 2, Self.isLocalPartByte(bytes[start - 1]) { start -= 1 }
            if start > 0, !Self.isAddressEdge(bytes[start - 1]) { continue }
            if let found = token(kind, in: bytes[start..<at]) { return found }
        }
        return nil
    }

    /// `KIND-TOKEN` exactly (the kind's letter in either case: some systems upper-case a whole address).
    private func token(_ kind: Kind, in localPart: ArraySlice<UInt8>) -> String? {
        let prefix = Array(kind.rawValue.utf8)
        guard localPart.count > 2, localPart.count <= Self.maximumLength + 2,
              localPart[localPart.startIndex] | 0x20 == prefix[0], localPart[localPart.startIndex + 1] == prefix[1] else { return nil }
        let token = localPart.dropFirst(2)
        guard token.allSatisfy(Self.isTokenByte) else { return nil }
        return String(decoding: token, as: UTF8.self)
    }

    private func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard needle.count <= bytes.count, start <= bytes.count - needle.count else { return nil }
        let first = needle[0]
        for index in start...(bytes.count - needle.count) where bytes[index] == first {
            if zip(bytes[index..<(index + needle.count)], needle).allSatisfy({ Self.lowered($0) == $1 }) { return index }
        }
        return nil
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, ASCII.hyphen, 0x5F: true
        default: false
        }
    }

    /// Characters a local part around a token could hold; a run of them is one local part.
    private static func isLocalPartByte(_ byte: UInt8) -> Bool {
        isTokenByte(byte) || byte == 0x2E || byte == 0x2B || byte == 0x3D
    }

    private static func isDomainByte(_ byte: UInt8) -> Bool {
        isTokenByte(byte) || byte == 0x2E
    }

    /// What may stand just before an address: a blank, `<`, `:`, `;`, `,`, a quote, a bracket, a line break.
    private static func isAddressEdge(_ byte: UInt8) -> Bool {
        [ASCII.space, ASCII.tab, ASCII.lineFeed, ASCII.carriageReturn, 0x3C, 0x3A, 0x3B, 0x2C, 0x22, 0x27, 0x28, 0x5B].contains(byte)
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
