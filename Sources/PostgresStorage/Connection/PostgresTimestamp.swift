import Foundation

/// `timestamptz` in the session's fixed text form (UTC, ISO: `2026-12-03 09:43:09.123456+00`), read and written
/// by hand: a claim reads one per job and a record writes two, and Foundation's `DateFormatter` cost more than
/// the statements (measured: about a third of a claim's time). Days are counted with the civil-calendar
/// algorithm (proleptic Gregorian, as PostgreSQL counts them).
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = microseconds.floorDivided(by: 1_000_000)
        let fraction = microseconds - seconds * 1_000_000
        let days = seconds.floorDivided(by: 86_400)
        seconds -= days * 86_400
        let (year, month, day) = civil(fromDays: days)
        var text = [UInt8]()
        text.reserveCapacity(29)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); text.append(UInt8(ascii: "-")); digits(month, 2); text.append(UInt8(ascii: "-")); digits(day, 2)
        text.append(UInt8(ascii: " "))
        digits(seconds / 3600, 2); text.append(UInt8(ascii: ":")); digits(seconds / 60 % 60, 2); text.append(UInt8(ascii: ":"))
        digits(seconds % 60, 2); text.append(UInt8(ascii: ".")); digits(fraction, 6)
        text.append(contentsOf: "+00".utf8)
        return String(decoding: text, as: UTF8.self)
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff][+00]`; nil for anything else (an infinity, another zone).
    static func parse(_ text: String) -> Date? {
        var utf8 = Array(text.utf8)
        if utf8.count >= 3, utf8[utf8.count - 3] == UInt8(ascii: "+"), utf8[utf8.count - 2] == UInt8(ascii: "0"), utf8.last == UInt8(ascii: "0") {
            utf8.removeLast(3)
        }
        guard utf8.count >= 19, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"), utf8[10] == UInt8(ascii: " "),
              utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let digit = utf8[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var micros: Int64 = 0
        if utf8.count > 19 {
            guard utf8[19] == UInt8(ascii: "."), utf8.count <= 26, let fraction = number(20..<utf8.count) else { return nil }
            micros = fraction
            for _ in 0..<(6 - (utf8.count - 20)) { micros *= 10 }
        }
        let total = (days(fromYear: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000 + micros
        return Date(timeIntervalSince1970: Double(total) / 1_000_000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
