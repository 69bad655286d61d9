import Foundation
import Testing
@testable import Mail

/// Dates by integer arithmetic, checked against Foundation's calendar.
struct CalendarTests {
    @Test func civilDatesAgreeWithTheCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // Every 7th day from 1899 to 2101, and the moments either side of midnight.
        for day in stride(from: -25_567, through: 47_482, by: 7) {
            for offset in [0.0, 86_399.999] {
                let date = Date(timeIntervalSince1970: Double(day) * 86_400 + offset)
                let expected = calendar.dateComponents([.year, .month, .day], from: date)
                let civil = CivilDate(date)
                #expect(civil.year == expected.year && civil.month == expected.month && civil.day == expected.day, "\(date)")
            }
        }
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil && CivilDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil && CivilDate(year: 2001, month: 4, day: 31) == nil)
    }

    @Test func messageDatesAgreeWithTheCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        var generator = SystemRandomNumberGenerator()
        // Random whole seconds from 1901 to 2100 (the formatter rounds fractions, the Date field truncates them),
        // and the edges of days and years.
        let edges: [Double] = [0, -1, -86_400, -86_401, 86_399, 86_400, 951_782_400, 1_795_651_199, 4_102_444_799]
        for seconds in edges + (0..<3000).map({ _ in Double(Int.random(in: -2_177_452_800...4_102_444_799, using: &generator)) }) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(MessageDate.format(date) == formatter.string(from: date), "\(seconds)")
        }
        #expect(MessageDate.format(Date(timeIntervalSince1970: 1_795_651_199.9)) == "Wed, 25 Nov 2026 23:59:59 +0000")
        #expect(MessageDate.format(Date(timeIntervalSince1970: -0.5)) == "Wed, 31 Dec 1969 23:59:59 +0000")
    }
}
