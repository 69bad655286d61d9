/// RFC 2047 encoded words (`=?charset?B?…?=`, `=?charset?Q?…?=`) in unstructured header text, such as the subject
/// of an auto-reply ("=?UTF-8?Q?Abwesenheitsnotiz?="). A word that does not decode stays as written.
enum EncodedWords {
    /// Longer text is left as written: a subject is not megabytes long, and decoding should never cost much.
    static let maximumLength = 16_384

    static func decode(_ text: String) -> String {
        guard text.contains("=?"), text.utf8.count <= maximumLength else { return text }
        var output = ""
        var rest = Substring(text)
        // Blanks between two encoded words are dropped (RFC 2047, 6.2); elsewhere they stay.
        var pendingBlanks = ""
        var lastWasEncoded = false
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let (decoded, after) = decodeWord(at: rest) {
                if !lastWasEncoded { output += pendingBlanks }
                pendingBlanks = ""
                output += decoded
                rest = after
                lastWasEncoded = true
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t" {
                pendingBlanks.append(character)
            } else {
                output += pendingBlanks
                pendingBlanks = ""
                output.append(character)
                lastWasEncoded = false
            }
        }
        return output + pendingBlanks
    }

    /// One `=?charset?encoding?text?=` at the start of `text`: what it says, and what follows it.
    private static func decodeWord(at text: Substring) -> (String, Substring)? {
        let body = text.dropFirst(2)
        let pieces = body.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard pieces.count == 4, pieces[3].hasPrefix("="), !pieces[2].contains(" ") else { return nil }
        // `charset*language` (RFC 2231, 5): the language is of no use here.
        let charset = pieces[0].split(separator: "*").first.map(String.init)
        let encoded = Array(pieces[2].utf8)[...]
        let bytes: [UInt8]
        switch pieces[1].lowercased() {
        case "b": bytes = ContentDecoding.base64(encoded)
        case "q": bytes = ContentDecoding.quotedPrintable(ArraySlice(encoded.map { $0 == 0x5F ? ASCII.space : $0 }))
        default: return nil
        }
        return (ContentDecoding.text(bytes, charset: charset), pieces[3].dropFirst())
    }
}
