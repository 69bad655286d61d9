import CCurl

/// One SMTP connection through a libcurl easy handle, reused across messages.
///
/// libcurl keeps the connection open between transfers and sends the next `MAIL FROM` straight away; if the
/// server dropped the connection in between, libcurl reconnects on the next send. A connection is not
/// thread-safe: one thread uses it at a time (the sender pool gives each worker thread its own).
public final class SMTPConnection: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let settings: SMTPSettings
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let exchange = Exchange()

    /// Reply lines and the message body of the transfer in progress; libcurl's callbacks reach it by pointer.
    private final class Exchange {
        var body: [UInt8] = []
        var offset = 0
        var replyLines: [String] = []
    }

    private static let globalInit: Void = {
        _ = curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    public init(settings: SMTPSettings) throws(SMTPTransportError) {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else {
            throw SMTPTransportError(kind: .other, message: "libcurl could not create a handle")
        }
        self.handle = handle
        self.settings = settings
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private func configure() {
        ccurl_easy_setopt_string(handle, CURLOPT_URL, settings.curlURL)
        ccurl_easy_setopt_long(handle, CURLOPT_UPLOAD, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMilliseconds)
        ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, settings.transferTimeoutMilliseconds)
        ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        if !settings.usesImplicitTLS {
            // Credentials never go out in the clear by accident: with AUTH, "opportunistic" becomes "required"
            // (a man in the middle could strip STARTTLS); only an explicit "off" sends them unencrypted.
            let level: curl_usessl = switch settings.startTLS {
            case .required: CURLUSESSL_ALL
            case .opportunistic: settings.username == nil ? CURLUSESSL_TRY : CURLUSESSL_ALL
            case .off: CURLUSESSL_NONE
            }
            ccurl_easy_setopt_long(handle, CURLOPT_USE_SSL, Int(level.rawValue))
        }
        if let caFile = settings.caFile {
            ccurl_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)
        }
        if let username = settings.username {
            ccurl_easy_setopt_string(handle, CURLOPT_USERNAME, username)
            ccurl_easy_setopt_string(handle, CURLOPT_PASSWORD, settings.password ?? "")
        }
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        ccurl_easy_setopt_pointer(handle, CURLOPT_READDATA, context)
        ccurl_easy_setopt_read_function(handle) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let exchange = Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue()
            let remaining = exchange.body.count - exchange.offset
            let length = min(size * count, remaining)
            guard length > 0 else { return 0 }
            exchange.body.withUnsafeBytes { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(
                    from: bytes.baseAddress! + exchange.offset, byteCount: length)
            }
            exchange.offset += length
            return length
        }
        ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        ccurl_easy_setopt_header_function(handle) { buffer, size, count, context in
            let length = size * count
            guard let buffer, let context else { return length }
            let exchange = Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue()
            // The line end is cut off as bytes, before the String is made: four replies or more per message.
            var end = length
            while end > 0, buffer[end - 1] == 0x0A || buffer[end - 1] == 0x0D { end -= 1 }
            exchange.replyLines.append(String(decoding: UnsafeRawBufferPointer(start: buffer, count: end), as: UTF8.self))
            return length
        }
    }

    /// Sends one message to one recipient. Returns the server's verdict on it (accepted or refused);
    /// throws when no verdict was given (unreachable, TLS or AUTH failure, connection lost).
    public func send(from sender: String, to recipient: String, message: [UInt8]) throws(SMTPTransportError) -> SMTPReply {
        exchange.body = message
        exchange.offset = 0
        exchange.replyLines.removeAll(keepingCapacity: true)
        errorBuffer[0] = 0
        defer { exchange.body = [] }

        let recipients = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }
        ccurl_easy_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(sender)>")
        ccurl_easy_setopt_pointer(handle, CURLOPT_MAIL_RCPT, recipients)
        ccurl_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count))

        let result = curl_easy_perform(handle)
        var responseCode = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        ccurl_easy_setopt_pointer(handle, CURLOPT_MAIL_RCPT, nil)
        return try verdict(result: result, responseCode: responseCode)
    }

    private func verdict(result: CURLcode, responseCode: Int) throws(SMTPTransportError) -> SMTPReply {
        if result == CURLE_OK {
            return SMTPReply.parse(lines: exchange.replyLines) ?? SMTPReply(code: responseCode == 0 ? 250 : responseCode, text: "")
        }
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
        let heardServer = !exchange.replyLines.isEmpty
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_PROXY:
            throw SMTPTransportError(kind: .unreachable, message: message)
        case CURLE_OPERATION_TIMEDOUT where !heardServer:
            // Not even a greeting: a server that drops packets is as unreachable as one that refuses them.
            throw SMTPTransportError(kind: .unreachable, message: message)
        case CURLE_OPERATION_TIMEDOUT:
            throw SMTPTransportError(kind: .timeout, message: message)
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
            // The server's own words (535 5.7.8 ...) say more than libcurl's "Login denied", if it gave a refusal
            // (not when no AUTH method matched: the last reply is then the EHLO list). The password never appears,
            // even if a server were to echo it.
            let said = SMTPReply.parse(lines: exchange.replyLines, code: responseCode).flatMap { $0.code >= 400 ? $0.description : nil }
            var text = "the server refused the login (smtp.username, smtp.password): \(said ?? message)"
            if let password = settings.password, !password.isEmpty {
                text = text.replacing(password, with: "…")
            }
            throw SMTPTransportError(kind: .authentication, message: text)
        case CURLE_USE_SSL_FAILED, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            throw SMTPTransportError(kind: .tls, message: message)
        default:
            break
        }
        // Only three failures are a verdict on this message: its RCPT TO or DATA command was refused, or the
        // reply after the body was not 2xx (libcurl reports that as a weird reply with no error text).
        // Anything else with a reply code (greeting, EHLO, MAIL FROM refused) is about the server and us.
        let aboutThisMessage = detail.hasPrefix("RCPT failed") || detail.hasPrefix("DATA failed")
            || (result == CURLE_WEIRD_SERVER_REPLY && detail.isEmpty)
        if aboutThisMessage, responseCode >= 400 {
            return SMTPReply.parse(lines: exchange.replyLines, code: responseCode) ?? SMTPReply(code: responseCode, text: message)
        }
        if responseCode >= 400 {
            let reply = SMTPReply.parse(lines: exchange.replyLines, code: responseCode)
            throw SMTPTransportError(kind: .refused, message: "the server refused the session: \(reply?.description ?? message)")
        }
        throw SMTPTransportError(kind: .connectionLost, message: message)
    }
}
