import Crypto
import Foundation

/// Adds a DKIM-Signature (RFC 6376) to a finished message, `c=relaxed/relaxed`.
///
/// It signs last, over the message's bytes exactly as they will be sent. `h=` lists every field in
/// `signedFields` that the message has, and lists From, Subject, List-Unsubscribe and List-Unsubscribe-Post
/// once more than they occur, present or not ("oversigning"), so nobody can add one without breaking the signature.
public struct DKIMSigner: Sendable {
    public let domain: String
    public let selector: String
    public let key: DKIMKey

    /// In the order they are listed in `h=`.
    public static let signedFields = ["from", "to", "reply-to", "subject", "date", "message-id", "mime-version", "content-type",
                                      "list-id", "list-unsubscribe", "list-unsubscribe-post", "feedback-id"]
    public static let oversignedFields: Set<String> = ["from", "subject", "list-unsubscribe", "list-unsubscribe-post"]

    public init(domain: String, selector: String, key: DKIMKey) {
        self.domain = domain
        self.selector = selector
        self.key = key
    }

    public struct SigningError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The message with its DKIM-Signature field first.
    public func sign(_ message: [UInt8], at date: Date = Date()) throws(SigningError) -> [UInt8] {
        let (fields, bodyStart) = Self.splitHeader(message)
        let bodyHash = SHA256.hash(data: DKIMCanonicalization.relaxedBody(message[bodyStart...]))

        // Fields by lower-cased name, each name's occurrences bottom-up, as a verifier picks them (§5.4.2).
        var occurrences: [String: [Range<Int>]] = [:]
        for field in fields {
            occurrences[Self.name(of: message[field]), default: []].insert(field, at: 0)
        }
        var names: [String] = []
        var canonical: [UInt8] = []
        canonical.reserveCapacity(2048)
        for name in Self.signedFields {
            let found = occurrences[name] ?? []
            // An oversigned field is listed even when absent (a policy notice has no List-Unsubscribe), so none can be added.
            guard !found.isEmpty || Self.oversignedFields.contains(name) else { continue }
            for field in found {
                names.append(name)
                canonical += DKIMCanonicalization.relaxedHeader(message[field])
            }
            // One more than there are: that instance is "null" and adds nothing to the signed data.
            if Self.oversignedFields.contains(name) { names.append(name) }
        }

        let tags = [
            "v=1", "a=\(key.algorithm.rawValue)", "c=relaxed/relaxed", "d=\(domain)", "s=\(selector)",
            "t=\(Int(date.timeIntervalSince1970))", "h=\(names.joined(separator: ":"))",
            "bh=\(Data(bodyHash).base64EncodedString())", "b=",
        ]
        let unsigned = Self.foldedField(tags)
        // The signature field itself is signed with an empty b= and without its final CRLF (§3.7).
        var signatureInput = DKIMCanonicalization.relaxedHeader(Array(unsigned.utf8))
        signatureInput.removeLast(2)
        canonical += signatureInput
        let signature: Data
        do { signature = try key.sign(canonical) } catch {
            throw SigningError(reason: "DKIM signing failed: \(error)")
        }
        let field = unsigned + Self.foldedSignature(signature.base64EncodedString()) + "\r\n"
        return Array(field.utf8) + message
    }

    /// The ranges of the header fields (each with its folds and final CRLF), and where the body starts.
    static func splitHeader(_ message: [UInt8]) -> (fields: [Range<Int>], bodyStart: Int) {
        var fields: [Range<Int>] = []
        var start = 0
        var index = 0
        while index + 1 < message.count {
            guard message[index] == 0x0D, message[index + 1] == 0x0A else { index += 1; continue }
            let lineEnd = index + 2
            if lineEnd == start + 2 { return (fields, lineEnd) }  // the empty line ends the header
            let next = lineEnd < message.count ? message[lineEnd] : 0
            if next != 0x20 && next != 0x09 {  // not a continuation: the field ends here
                fields.append(start..<lineEnd)
                start = lineEnd
            }
            index = lineEnd
        }
        return (fields, message.count)
    }

    static func name(of field: ArraySlice<UInt8>) -> String {
        let end = field.firstIndex(of: UInt8(ascii: ":")) ?? field.endIndex
        return String(decoding: field[..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// `DKIM-Signature: tag; tag; …` folded before a tag when a line would pass 78 characters; `h=` is long
    /// enough to need folding at its colons too.
    static func foldedField(_ tags: [String]) -> String {
        var output = "DKIM-Signature:"
        var lineLength = output.count
        for (position, tag) in tags.enumerated() {
            let piece = tag + (position < tags.count - 1 ? ";" : "")
            var words = [piece]
            if piece.count > 70, piece.hasPrefix("h=") {
                let parts = piece.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                words = parts.enumerated().map { $0.offset < parts.count - 1 ? $0.element + ":" : $0.element }
            }
            for (index, word) in words.enumerated() {
                let separator = index == 0 ? " " : ""
                // b= starts a line of its own, so the signature that follows it has room.
                if lineLength + separator.count + word.count > 78 || word == "b=" {
                    output += "\r\n\t"
                    lineLength = 1
                } else {
                    output += separator
                    lineLength += separator.count
                }
                output += word
                lineLength += word.count
            }
        }
        return output
    }

    /// The signature after `b=` (which begins its line), in lines of at most 77 characters.
    static func foldedSignature(_ base64: String) -> String {
        var output = ""
        var rest = Substring(base64)
        var first = true
        while !rest.isEmpty {
            let chunk = rest.prefix(first ? 74 : 76)
            output += (first ? "" : "\r\n\t") + chunk
            rest = rest.dropFirst(chunk.count)
            first = false
        }
        return output
    }
}
