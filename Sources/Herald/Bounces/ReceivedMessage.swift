/// A received message (RFC 5322 with MIME) read into a tree: each entity's header fields and content type, and
/// its body as decoded bytes, as parts (multipart), or as an enclosed message (`message/rfc822`, `message/global`,
/// or the header-only `text/rfc822-headers` and `message/global-headers`).
///
/// Reading never fails: what is not well formed is kept as bytes. It is bounded so a hostile message costs at
/// most a few passes over its bytes: only the first `maximumSize` bytes are read, at most `maximumParts`
/// entities, nested at most `maximumDepth` deep; beyond those limits a body stays undecoded bytes.
public struct ReceivedMessage: Sendable {
    public static let maximumSize = 10 * 1024 * 1024
    public static let maximumParts = 100
    public static let maximumDepth = 5

    public indirect enum Body: Sendable {
        /// A leaf's content, its transfer encoding undone.
        case bytes([UInt8])
        case parts([ReceivedMessage])
        case message(ReceivedMessage)
    }

    public let headers: ReceivedHeaders
    public let contentType: ContentType
    public let body: Body

    public init(parsing raw: [UInt8]) {
        var reader = Reader()
        self = reader.read(raw.prefix(Self.maximumSize), depth: 0)
    }

    init(headers: ReceivedHeaders, contentType: ContentType, body: Body) {
        self.headers = headers
        self.contentType = contentType
        self.body = body
    }

    /// The body of a leaf as text in its charset; nil for parts and enclosed messages.
    public var text: String? {
        guard case .bytes(let bytes) = body else { return nil }
        return ContentDecoding.text(bytes, charset: contentType.parameters["charset"])
    }

    public var parts: [ReceivedMessage] {
        if case .parts(let parts) = body { parts } else { [] }
    }

    public var enclosedMessage: ReceivedMessage? {
        if case .message(let message) = body { message } else { nil }
    }

    /// This entity and every part below it in multiparts, depth first, without entering enclosed messages: the
    /// parts of a report, not those of the message it returns.
    public var entities: [ReceivedMessage] {
        [self] + parts.flatMap(\.entities)
    }

    /// Media types whose body is another message, whole or just its header.
    static let messageTypes: Set<String> = ["message/rfc822", "message/global"]
    static let headerOnlyTypes: Set<String> = ["text/rfc822-headers", "message/rfc822-headers", "message/global-headers"]

    /// The budget of one read, shared by every level of it.
    private struct Reader {
        var partsLeft = ReceivedMessage.maximumParts

        mutating func read(_ bytes: ArraySlice<UInt8>, depth: Int) -> ReceivedMessage {
            let (headers, rawBody) = ReceivedHeaders.parse(bytes)
            let type = ContentType(parsing: headers.first("Content-Type"))
            let encoding = headers.first("Content-Transfer-Encoding")
            func leaf() -> ReceivedMessage {
                ReceivedMessage(headers: headers, contentType: type, body: .bytes(ContentDecoding.decode(rawBody, transferEncoding: encoding)))
            }
            guard depth < ReceivedMessage.maximumDepth, partsLeft > 0 else { return leaf() }

            if type.isMultipart {
                guard let boundary = type.parameters["boundary"], let pieces = MultipartSplitter.parts(of: rawBody, boundary: boundary) else {
                    return leaf()
                }
                var parts: [ReceivedMessage] = []
                for piece in pieces {
                    guard partsLeft > 0 else { break }
                    partsLeft -= 1
                    parts.append(read(piece, depth: depth + 1))
                }
                return ReceivedMessage(headers: headers, contentType: type, body: .parts(parts))
            }
            if ReceivedMessage.messageTypes.contains(type.mediaType) {
                partsLeft -= 1
                let decoded = ContentDecoding.decode(rawBody, transferEncoding: encoding)
                return ReceivedMessage(headers: headers, contentType: type, body: .message(read(decoded[...], depth: depth + 1)))
            }
            if ReceivedMessage.headerOnlyTypes.contains(type.mediaType) {
                partsLeft -= 1
                let decoded = ContentDecoding.decode(rawBody, transferEncoding: encoding)
                let enclosed = ReceivedMessage(headers: ReceivedHeaders.parse(decoded[...]).headers, contentType: .plainText, body: .bytes([]))
                return ReceivedMessage(headers: headers, contentType: type, body: .message(enclosed))
            }
            return leaf()
        }
    }
}
