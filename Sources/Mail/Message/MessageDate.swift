import Foundation

/// RFC 5322 §3.3 date-time, always in UTC: `Wed, 25 Nov 2026 10:00:00 +0000`.
public enum MessageDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// By arithmetic rather than `Calendar`: every message has a Date field, and this is several times cheaper.
    public static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let dayNumber = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - dayNumber * 86_400
        let day = CivilDate(daysSinceEpoch: dayNumber)
        let weekday = ((dayNumber + 4) % 7 + 7) % 7  // 1 January 1970 was a Thursday
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[weekday]), \(two(day.day)) \(months[day.month - 1]) \(day.year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }
}
