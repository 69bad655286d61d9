import Foundation
import Rendering

/// The shape of a person a preview is rendered for: whether they gave a name, and which products they
/// registered. Staff choose a shape, never a person: a preview reads nobody's data.
public struct SampleRecipient: Sendable, Equatable {
    public var name: String?
    public var products: [String]

    public init(name: String?, products: [String]) {
        self.name = name
        self.products = products
    }

    /// The stand-in of `herald templates preview` and of a preview before a shape is chosen.
    public static let standIn = SampleRecipient(name: "Ada Lovelace", products: ["minilogue", "volca"])
    /// Where a preview pretends to send (a reserved domain, RFC 2606).
    public static let standInAddress = "ada@example.com"

    /// A stand-in's personal fields: each shows its own name, so a preview says where each value goes.
    static func attributes(_ names: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, "[\($0)]") })
    }
}

/// A previewed message as it would be sent: the header fields of its bytes (unfolded) and its parts.
public struct PreviewedMessage: Sendable {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public var rendered: RenderedMessage
    public var headers: [Header]

    /// The header block of a composed message (everything before the first empty line), each field unfolded
    /// (RFC 5322 §2.2.3: a line break followed by white space continues the field).
    static func headers(of bytes: [UInt8]) -> [Header] {
        let text = String(decoding: bytes, as: UTF8.self)
        let block = text.components(separatedBy: "\r\n\r\n").first ?? ""
        var headers: [Header] = []
        for line in block.components(separatedBy: "\r\n") {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(Header(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return headers
    }
}
