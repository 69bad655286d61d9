import Synchronization

extension MessageDraft {
    /// The whole message as sent: header block, then `multipart/alternative` with the text part first and
    /// the HTML part last (RFC 2046 §5.1.4: the last part is the preferred one), both quoted-printable, CRLF.
    public func mimeBytes(boundary: String = MessageDraft.newBoundary()) -> [UInt8] {
        var output: [UInt8] = []
        // Room for the worst case of both bodies, so that encoding them never moves what is already written.
        output.reserveCapacity(QuotedPrintable.worstCaseLength(of: textBody.utf8.count)
            + QuotedPrintable.worstCaseLength(of: htmlBody.utf8.count) + 4096)
        for field in headerFields {
            field.render(into: &output)
        }
        HeaderField("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"").render(into: &output)
        output.append(contentsOf: "\r\n".utf8)
        appendPart(type: "text/plain", body: textBody, boundary: boundary, to: &output)
        appendPart(type: "text/html", body: htmlBody, boundary: boundary, to: &output)
        output.append(contentsOf: "--\(boundary)--\r\n".utf8)
        return output
    }

    private func appendPart(type: String, body: String, boundary: String, to output: inout [UInt8]) {
        output.append(contentsOf: "--\(boundary)\r\n".utf8)
        output.append(contentsOf: "Content-Type: \(type); charset=utf-8\r\n".utf8)
        output.append(contentsOf: "Content-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
        QuotedPrintable.encode(body, appendingTo: &output)
        output.append(contentsOf: "\r\n".utf8)
    }

    /// "=_" can never occur in quoted-printable output, so a boundary starting with it cannot collide with a body
    /// and needs no randomness to be safe; a random per-process part and a counter still make each one unique.
    public static func newBoundary() -> String {
        "=_herald_" + boundaryPrefix + String(boundaryCounter.add(1, ordering: .relaxed).newValue, radix: 36)
    }

    private static let boundaryPrefix: String = {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 36) + "_"
    }()
    private static let boundaryCounter = Atomic<UInt64>(0)
}
