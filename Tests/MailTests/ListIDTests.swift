import Testing
@testable import Mail

/// RFC 2919: `List-Id: [phrase] "<" list-id ">"`, the list-id a dot-atom with a dot, at most 255 octets.
struct ListIDTests {
    @Test(arguments: [
        ("news.example.com", "<news.example.com>"),
        ("  news.example.com ", "<news.example.com>"),
        ("<news.example.com>", "<news.example.com>"),
        ("Example News <news.example.com>", "Example News <news.example.com>"),
        ("\"Example, News\" <news.example.com>", "\"Example, News\" <news.example.com>"),
        ("Nouvelles d'Été <news.example.com>", "=?UTF-8?B?Tm91dmVsbGVzIGQnw4l0w6k=?= <news.example.com>"),
    ])
    func acceptsTheBareIdAndTheFullForm(input: String, field: String) throws {
        #expect(try ListID(parsing: input).fieldValue == field)
    }

    @Test(arguments: ["", "news", "<news>", "news..example.com", ".news.example.com", "news example.com",
                      "<news.example.com", "news.example.com>", "News <news@example.com>", "<>", "a<b>c <news.example.com>",
                      "News\u{1}Letter <news.example.com>", String(repeating: "a", count: 250) + ".example.com"])
    func refusesAnythingElse(input: String) {
        #expect(throws: ListID.Problem.self) { try ListID(parsing: input) }
    }

    @Test func theLongestIdFitsAndOneMoreOctetDoesNot() throws {
        let label = String(repeating: "a", count: 255 - ".example.com".count)
        #expect(try ListID(parsing: label + ".example.com").identifier.utf8.count == 255)
        #expect(throws: ListID.Problem.self) { try ListID(parsing: label + "a.example.com") }
    }
}
