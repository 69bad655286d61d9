import Foundation

/// Which client sent a request, for throttling in memory only (never stored, never logged): the connection's
/// peer, or, when that peer is one of `http.trusted_proxies`, the last hop of `X-Forwarded-For` that is not a
/// trusted proxy. Hops to the left of it were written by the client itself and could say anything, so they are
/// never believed.
public struct ClientAddress: Sendable {
    private let trusted: Set<[UInt8]>

    public init(trustedProxies: [String]) {
        trusted = Set(trustedProxies.compactMap(Self.bytes))
    }

    /// The key a client is throttled by: its IPv4 address, or the /64 an IPv6 address is in (one subscriber
    /// usually holds a whole /64, so single IPv6 addresses would be free to rotate through). `peer`: the
    /// connection's remote address, nil for a socket without one.
    public func key(peer: String?, forwardedFor: [String]) -> String {
        guard let peer, var client = Self.bytes(peer) else { return "unknown" }
        if trusted.contains(client) {
            let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            // From the right: each trusted proxy vouches for the hop before it. A hop that is no address ends
            // the walk, and the last believed one stands.
            for hop in hops.reversed() {
                guard let address = Self.bytes(hop) else { break }
                client = address
                if !trusted.contains(address) { break }
            }
        }
        return Self.describe(client.count == 16 ? Array(client.prefix(8)) + [UInt8](repeating: 0, count: 8) : client, prefix: client.count == 16 ? "/64" : "")
    }

    /// Whether `peer` is one of `http.trusted_proxies`.
    public func trusts(_ peer: String?) -> Bool {
        peer.flatMap(Self.bytes).map(trusted.contains) ?? false
    }

    /// An address's bytes: 4 for IPv4 (and for IPv4 mapped into IPv6), 16 for IPv6; nil for anything else.
    static func bytes(_ text: String) -> [UInt8]? {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("["), let end = trimmed.firstIndex(of: "]") { trimmed = String(trimmed[trimmed.index(after: trimmed.startIndex)..<end]) }
        if let percent = trimmed.firstIndex(of: "%") { trimmed = String(trimmed[..<percent]) }  // a link-local zone
        guard !trimmed.isEmpty, trimmed.utf8.count <= 45 else { return nil }
        var four = in_addr()
        if inet_pton(AF_INET, trimmed, &four) == 1 { return withUnsafeBytes(of: &four) { Array($0) } }
        var six = in6_addr()
        guard inet_pton(AF_INET6, trimmed, &six) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &six) { Array($0) }
        if bytes.prefix(10).allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes.suffix(4)) }
        return bytes
    }

    private static func describe(_ bytes: [UInt8], prefix: String) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":") + prefix
    }
}
