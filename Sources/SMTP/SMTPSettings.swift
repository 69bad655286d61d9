/// How to reach the SMTP server. Built by the application from its configuration.
public struct SMTPSettings: Sendable, Equatable {
    public enum StartTLS: String, Sendable, CaseIterable {
        /// Refuse to send unless the server offers STARTTLS (fails closed).
        case required
        /// Use STARTTLS when offered, send in the clear otherwise.
        case opportunistic
        /// Never upgrade the connection.
        case off
    }

    /// `smtp://host:port` or `smtps://host:port` (implicit TLS).
    public var url: String
    public var startTLS: StartTLS
    public var username: String?
    public var password: String?
    /// The name announced in EHLO.
    public var heloName: String
    /// A PEM bundle of CA certificates to trust instead of the system's (for private or test servers).
    public var caFile: String?
    public var connectTimeoutMilliseconds: Int
    public var transferTimeoutMilliseconds: Int

    public init(
        url: String,
        startTLS: StartTLS = .opportunistic,
        username: String? = nil,
        password: String? = nil,
        heloName: String = "localhost",
        caFile: String? = nil,
        connectTimeoutMilliseconds: Int = 10_000,
        transferTimeoutMilliseconds: Int = 60_000
    ) {
        self.url = url
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.heloName = heloName
        self.caFile = caFile
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.transferTimeoutMilliseconds = transferTimeoutMilliseconds
    }

    /// The URL libcurl gets: its path is the EHLO name.
    var curlURL: String {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + heloName
    }

    public var usesImplicitTLS: Bool { url.lowercased().hasPrefix("smtps://") }
}
