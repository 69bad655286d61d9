import Foundation
import Testing
@testable import Herald

struct CSVReaderTests {
    func records(_ text: String) throws -> [CSVRecord] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let reader = try CSVReader(path: path)
        var all: [CSVRecord] = []
        while let record = reader.next() { all.append(record) }
        return all
    }

    @Test func quotedFieldsCommasNewlinesAndDoubledQuotes() throws {
        let parsed = try records("\u{FEFF}a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\r\nlast,,\n")
        #expect(parsed.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "", ""]])
        #expect(parsed.map(\.line) == [1, 2, 5])
    }

    @Test func noFinalNewlineAndAnUnclosedQuote() throws {
        let parsed = try records("a,b\n1,2")
        #expect(parsed.last?.fields == ["1", "2"])
        let broken = try records("a,b\n1,\"2\n3,4\n")
        #expect(broken.last?.problem == "a quoted field is not closed before the end of the file")
        #expect(broken.last?.line == 2)
    }

    @Test func invalidUTF8IsAProblemNotACrash() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        try Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: path))
        let reader = try CSVReader(path: path)
        _ = reader.next()
        #expect(reader.next()?.problem == "field 1 is not valid UTF-8")
    }

    @Test func recordsLongerThanTheBufferSurviveRefills() throws {
        let long = String(repeating: "x", count: 3 << 20)
        let parsed = try records("a,b\n\"\(long)\",1\n2,3\n")
        #expect(parsed.count == 3 && parsed[1].fields[0].count == long.count && parsed[2].fields == ["2", "3"])
    }
}

struct PaymentCardDetectorTests {
    @Test func findsCardNumbersHoweverTheyAreWritten() {
        for text in ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "card: 5500 0000 0000 0004 exp 12/29",
                     "378282246310005", "6011111111111117"] {
            #expect(PaymentCardDetector.containsCardNumber(text), "\(text)")
        }
    }

    @Test func leavesOtherNumbersAlone() {
        for text in ["4111111111111112", "1985-12-10", "+44 20 7946 0958", "12345", "order 123456789012", "4111  1111 1111 1111",
                     "minilogue;kronos", ""] {
            #expect(!PaymentCardDetector.containsCardNumber(text), "\(text)")
        }
    }
}
