import Foundation
import Testing

/// The consent store through the real `herald` binary: import with bad rows, access, erasure, the report.
@Suite(.serialized)
struct ConsentStoreCommandTests {
    let sandbox: Sandbox

    init() throws {
        sandbox = try Sandbox()
        try sandbox.writeConfiguration()
    }

    @Test func importReportsEachBadRowAndKeepsTheGoodOnes() throws {
        defer { sandbox.remove() }
        let file = sandbox.folder.appendingPathComponent("people.csv").path
        let childYear = Calendar(identifier: .gregorian).component(.year, from: Date()) - 8
        try """
            email,name,birthdate,products,consents,shoe size
            ada@example.com,Ada Lovelace,1985-12-10,minilogue;kronos,product-news;promotions,38
            grace@example.org,Grace Hopper,,kronos,product-news,
            no-at-sign,Someone,,,,
            payer@example.com,Payer,,,,5500 0000 0000 0004
            kid@example.com,Kid,\(childYear)-05-05,,promotions,
            late@example.com,Late,2999-01-01,,,

            """.write(toFile: file, atomically: true, encoding: .utf8)

        let first = try sandbox.herald(["recipients", "import", file])
        #expect(first.status == 65, "any rejected row makes the exit code 65")
        #expect(first.stdout.contains("imported 2 (2 new, 0 updated, 0 unchanged), rejected 4"))
        let lines = first.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "one warning and one line per rejected row: \(first.stderr)")
        #expect(lines.first == "herald: warning: \(file): ignoring unknown columns: shoe size")
        for (line, reason) in [(4, "invalid email address"), (5, "payment card"), (6, "under 13: refused, nothing stored"), (7, "in the future")] {
            #expect(lines.contains { $0.hasPrefix("herald: \(file):\(line): ") && $0.contains(reason) }, "line \(line): \(first.stderr)")
        }
        #expect(!first.stderr.contains("5500") && !first.stderr.contains("kid@example.com"))
        let stored = sandbox.databaseFiles()
        #expect(stored.range(of: Data("kid@example.com".utf8)) == nil && stored.range(of: Data("5500 0000".utf8)) == nil)

        let again = try sandbox.herald(["recipients", "import", file, "--json"]).json(expectingStatus: 65)
        #expect(again["created"] as? Int == 0 && again["unchanged"] as? Int == 2 && again["rejected"] as? Int == 4)

        let ada = try sandbox.herald(["recipients", "export", "ADA@example.com"]).json()
        #expect((ada["products"] as? [String]) == ["kronos", "minilogue"])
        #expect(((ada["consent_ledger"] as? [[String: Any]]) ?? []).count == 2)
    }

    @Test func eraseLeavesOnlyTheSuppressionAndTheReportCountsOnly() throws {
        defer { sandbox.remove() }
        for index in 0..<12 {
            try sandbox.herald(["recipients", "add", "person\(index)@example.com", "--product", index < 11 ? "kronos" : "volca",
                                "--consent", "product-news", "--birthdate", "1990-06-0\(index % 9 + 1)"])
        }
        let erased = try sandbox.herald(["recipients", "erase", "person11@example.com"])
        #expect(erased.status == 0, "\(erased.stderr)")
        let after = try sandbox.herald(["recipients", "export", "person11@example.com"]).json()
        #expect(after["recipient"] == nil && (after["suppression"] as? [String: Any])?["reason"] as? String == "erased")
        #expect(sandbox.databaseFiles().range(of: Data("person11@".utf8)) == nil, "the erased address survives in the database files")

        let unknown = try sandbox.herald(["recipients", "erase", "nobody@example.com"])
        #expect(unknown.status == 65 && unknown.stderr.hasPrefix("herald: error: ") && unknown.stderr.split(separator: "\n").count == 1)

        let report = try sandbox.herald(["report", "--json", "--min-cell", "1"]).json()
        #expect(report["recipients"] as? Int == 11)
        let products = report["by_product"] as? [String: Any] ?? [:]
        #expect(products["kronos"] as? Int == 11 && (products["volca"] as? Int ?? 0) == 0, "the erased person's product is still counted")
        let strict = try sandbox.herald(["report", "--json", "--min-cell", "12"]).json()
        #expect(strict["recipients"] is NSNull && (strict["by_product"] as? [String: Any])?["kronos"] is NSNull, "11 is under 12 and must be hidden")
        let text = try sandbox.herald(["report", "--min-cell", "20"])
        #expect(text.status == 0 && text.stdout.contains("<20") && !text.stdout.contains("@"))
        #expect(text.stdout.contains("granted hidden") && !text.stdout.contains("granted <20"), "by purpose every hidden cell reads hidden, as one hidden for cover must: \(text.stdout)")
    }
}
