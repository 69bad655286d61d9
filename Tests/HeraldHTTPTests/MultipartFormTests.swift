@testable import HeraldHTTP
import Testing

/// `FormBody`'s multipart/form-data reading (RFC 7578, RFC 2046's framing): the fields it finds, the boundaries
/// it refuses before looking at the body, and bodies built to make a naive delimiter search slow.
struct MultipartFormTests {
    static func form(_ body: String, boundary: String) throws -> FormBody {
        try FormBody(Array(body.utf8), contentType: "multipart/form-data; boundary=\(boundary)")
    }

    static func isMalformed(_ body: [UInt8], contentType: String) -> Bool {
        do { _ = try FormBody(body, contentType: contentType); return false } catch { return error == .malformed }
    }

    @Test func readsTheFieldsCurlSends() throws {
        let body = "--------------------------d74496d66958873e\r\n"
            + "Content-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n"
            + "--------------------------d74496d66958873e\r\n"
            + "Content-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain\r\n\r\ntwo\r\nlines\r\n"
            + "--------------------------d74496d66958873e--\r\n"
        let form = try Self.form(body, boundary: "------------------------d74496d66958873e")
        #expect(form.isOneClick)
        #expect(form.first("note") == "two\r\nlines")
    }

    @Test func skipsPreambleEpilogueAndFilePartsAndAllowsPaddingAndQuotedBoundaries() throws {
        let body = "preamble, ignored\r\n--a b'c  \r\n"
            + "Content-Disposition: form-data; name=\"upload\"; filename=\"x.txt\"\r\n\r\nfile bytes\r\n"
            + "--a b'c\r\ncontent-disposition: form-data; name=\"kept\"\r\n\r\n\r\n"
            + "--a b'c\r\nContent-Disposition: form-data; name=\"kept\"\r\n\r\n--a b'\r\n"
            + "--a b'c--\r\nepilogue --a b'c\r\n"
        let form = try FormBody(Array(body.utf8), contentType: "multipart/form-data; boundary=\"a b'c\"")
        #expect(form.all("kept") == ["", "--a b'"])
        #expect(form.first("upload") == nil)
    }

    @Test func aPartWithoutHeadersAndABodyWithoutClosingDelimiterAreRead() throws {
        let form = try Self.form("--b\r\n\r\nnameless\r\n--b\r\nContent-Disposition: form-data; name=\"last\"\r\n\r\nvalue\r\n", boundary: "b")
        #expect(form.fields == ["last": ["value"]])
    }

    @Test func malformedFramingIsRefused() {
        let type = "multipart/form-data; boundary=b"
        #expect(Self.isMalformed(Array("no delimiter at all".utf8), contentType: type))
        #expect(Self.isMalformed(Array("--b\r\nContent-Disposition: form-data; name=\"x\"\r\nno empty line\r\n--b--".utf8), contentType: type))
        #expect(Self.isMalformed(Array("--bogus\r\n\r\n\r\n--b--".utf8), contentType: type), "a delimiter must end its line")
        #expect(Self.isMalformed(Array("--b--".utf8), contentType: "multipart/form-data"), "no boundary parameter")
    }

    /// RFC 2046: 1 to 70 characters from bchars, the last not a space; refused before the body is read.
    @Test(arguments: [
        (String(repeating: "a", count: 70), true), (String(repeating: "a", count: 71), false), ("", false),
        ("ends with space ", false), ("has;semicolon", false), ("has\"quote", false), ("tab\there", false), ("é", false),
        ("0aZ'()+_,-./:=?", true),
    ])
    func boundaryRule(_ boundary: String, _ accepted: Bool) {
        #expect((MultipartBoundary(boundary) != nil) == accepted, "\(boundary)")
        let body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--\(boundary)--\r\n".utf8)
        #expect(Self.isMalformed(body, contentType: "multipart/form-data; boundary=\"\(boundary)\"") == !accepted, "\(boundary)")
    }

    /// What the attacker sent: a boundary of dashes ending in `x`, and a body of dashes. The long one is refused
    /// by the rule; the longest allowed one is searched for in linear time and found nowhere.
    @Test func nearMissBoundariesCostLittle() {
        let clock = ContinuousClock()
        let dashes = [UInt8](repeating: UInt8(ascii: "-"), count: 1 << 20)
        let elapsed = clock.measure {
            #expect(Self.isMalformed(dashes, contentType: "multipart/form-data; boundary=\(String(repeating: "-", count: 7999))x"))
            #expect(Self.isMalformed(dashes, contentType: "multipart/form-data; boundary=\(String(repeating: "-", count: 69))x"))
        }
        // A megabyte, 64 times the largest form body read; a naive search took seconds for 16 KB.
        #expect(elapsed < .seconds(5), "\(elapsed)")
    }

    @Test func oneClickInEitherEncoding() throws {
        #expect(try FormBody(Array("List-Unsubscribe=One-Click".utf8), contentType: "application/x-www-form-urlencoded").isOneClick)
        #expect(try FormBody(Array("a=1&List-Unsubscribe=One-Click".utf8), contentType: "Application/X-WWW-Form-URLEncoded; charset=utf-8").isOneClick)
        let multipart = "--xyz\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--xyz--\r\n"
        #expect(try Self.form(multipart, boundary: "xyz").isOneClick)
    }
}
