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
        let body = message[bodyStart...]
        let bodyHash = DKIMCanonicalization.isRelaxedBody(body)
            ? SHA256.hash(data: body) : SHA256.hash(data: DKIMCanonicalization.relaxedBody(body))

        // The occurrences of each signed field, bottom-up, as a verifier picks them (§5.4.2).
        var occurrences = [[Range<Int>]](repeating: [], count: Self.signedFields.count)
        for field in fields.reversed() {
            if let position = Self.signedFieldPosition(of: message[field]) { occurrences[position].append(field) }
        }
        var names: [String] = []
        var canonical: [UInt8] = []
        canonical.reserveCapacity(2048)
        for (position, name) in Self.signedFields.enumerated() {
            let found = occurrences[position]
            let oversigned = Self.oversignedFields.contains(name)
            // An oversigned field is listed even when absent (a policy notice has no List-Unsubscribe), so none can be added.
            guard !found.isEmpty || oversigned else { continue }
            for field in found {
                names.append(name)
                canonical += DKIMCanonicalization.relaxedHeader(message[field])
            }
            // One more than there are: that instance is "null" and adds nothing to the signed data.
            if oversigned { names.append(name) }
        }

        let tags = [
            "v=1", "a=\(key.algorithm.rawValue)", "c=relaxed/relaxed", "d=\(domain)", "s=\(selector)",
            "t=\(Int(date.timeIntervalSince1970))", "h=\(names.joined(separator: ":"))",
            "bh=\(Data(bodyHash).base64EncodedString())", "b=",
        ]
        let unsigned = Self.foldedField(tags)
        // The signature field itself is signed with an empty b= and without its final CRLF (§3.7).
        var signatureInput = DKIMCanonicalization.relaxedHeader(unsigned)
        signatureInput.removeLast(2)
        canonical += signatureInput
        let signature: Data
        do { signature = try key.sign(canonical) } catch {
            throw SigningError(reason: "DKIM signing failed: \(error)")
        }
        var signed = unsigned
        signed.reserveCapacity(unsigned.count + 800 + message.count)
        Self.appendFolded(signature: Array(signature.base64EncodedString().utf8), to: &signed)
        signed += [0x0D, 0x0A]
        signed += message
        return signed
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

    private static let signedFieldBytes = signedFields.map { Array($0.utf8) }

    /// Where the field's name is in `signedFields`, compared as relaxed canonicalization sees names: without
    /// case, and without white space before the colon. Bytes, not strings: this runs for every field of every message.
    static func signedFieldPosition(of field: ArraySlice<UInt8>) -> Int? {
        let end = field.firstIndex(of: UInt8(ascii: ":")) ?? field.endIndex
        var name = field[..<end]
        while let last = name.last, last == 0x20 || last == 0x09 { name = name.dropLast() }
        return signedFieldBytes.firstIndex { candidate in
            candidate.count == name.count && zip(candidate, name).allSatisfy { $0 == ($1 >= 0x41 && $1 <= 0x5A ? $1 + 0x20 : $1) }
        }
    }

    /// `DKIM-Signature: tag; tag; …` folded before a tag when a line would pass 78 characters; `h=` is long
    /// enough to need folding at its colons too. Built as bytes: every tag is ASCII.
    static func foldedField(_ tags: [String]) -> [UInt8] {
        var output = Array("DKIM-Signature:".utf8)
        var lineStart = 0
        func append(_ word: ArraySlice<UInt8>, spaced: Bool) {
            // b= starts a line of its own, so the signature that follows it has room.
            if output.count - lineStart + (spaced ? 1 : 0) + word.count > 78 || word.elementsEqual("b=".utf8) {
                output += [0x0D, 0x0A, 0x09]
                lineStart = output.count - 1
            } else if spaced {
                output.append(0x20)
            }
            output += word
        }
        for (position, tag) in tags.enumerated() {
            var piece = Array(tag.utf8)
            if position < tags.count - 1 { piece.append(UInt8(ascii: ";")) }
            guard piece.count > 70, tag.hasPrefix("h=") else {
                append(piece[...], spaced: true)
                continue
            }
            var wordStart = 0
            for index in piece.indices where piece[index] == UInt8(ascii: ":") || index == piece.count - 1 {
                append(piece[wordStart...index], spaced: wordStart == 0)
                wordStart = index + 1
            }
        }
        return output
    }

    /// Appends the signature after `b=` (which begins its line), in lines of at most 77 characters.
    static func appendFolded(signature: [UInt8], to output: inout [UInt8]) {
        var start = 0
        while start < signature.count {
            let end = min(signature.count, start + (start == 0 ? 74 : 76))
            if start > 0 { output += [0x0D, 0x0A, 0x09] }
            output += signature[start..<end]
            start = end
        }
    }
}
