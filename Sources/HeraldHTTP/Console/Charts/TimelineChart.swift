import Foundation
import Herald
import Rendering
import Store

/// A campaign's outcome over time as an SVG bar chart drawn here, on the server: one bar per stretch of time,
/// stacked by outcome, with its scale and times. It uses presentation attributes, never a `style` attribute, so
/// the console's Content-Security-Policy (no inline styles) holds; each bar segment has a `<title>` for
/// pointers, and the page carries the same numbers as a table for screen readers and keyboards.
struct TimelineChart {
    let timeline: CampaignTimeline

    static let width = 720.0, height = 260.0
    static let left = 52.0, right = 12.0, top = 14.0, bottom = 40.0

    /// Colours told apart by people with the common colour blindnesses (Okabe–Ito), each with a name in the legend;
    /// a dark outline gives the light ones (the deferred yellow) contrast against the page.
    static let colours: [OutboxState: String] = [
        .sent: "#009E73", .deferred: "#E69F00", .bounced: "#D55E00", .failed: "#CC79A7", .skipped: "#7F7F7F",
    ]

    func svg(titled title: String) -> String {
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        let highest = Self.niceCeiling(timeline.stretches.map(\.total).max() ?? 0)
        let slot = plotWidth / Double(max(timeline.stretches.count, 1))
        // Thin bars for many stretches, never a slab for few (a campaign sent within a second has one).
        let bar = min(max(slot * 0.8, 1), 40)
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" role="img" aria-labelledby="chart-title">
            <title id="chart-title">\(HTMLEscaping.escape(title))</title>

            """
        // The scale: 0, half and the top, with faint lines across.
        for tick in [0, highest / 2, highest] {
            let y = Self.top + plotHeight - Double(tick) / Double(max(highest, 1)) * plotHeight
            out += "<line x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.width - Self.right))\" y1=\"\(Self.number(y))\" y2=\"\(Self.number(y))\" stroke=\"#8886\"/>"
            out += "<text x=\"\(Self.number(Self.left - 6))\" y=\"\(Self.number(y + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"currentColor\">\(tick)</text>\n"
        }
        for (index, stretch) in timeline.stretches.enumerated() {
            var base = Self.top + plotHeight
            let x = Self.left + Double(index) * slot + (slot - bar) / 2
            for outcome in CampaignTimeline.outcomes {
                guard let count = stretch.counts[outcome], count > 0 else { continue }
                let height = Double(count) / Double(max(highest, 1)) * plotHeight
                base -= height
                out += "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(base))\" width=\"\(Self.number(bar))\" height=\"\(Self.number(height))\" fill=\"\(Self.colours[outcome]!)\" stroke=\"#1a1a1a\" stroke-width=\"0.6\">"
                out += "<title>\(clock(stretch.start)) UTC: \(count) \(outcome.rawValue)</title></rect>\n"
            }
        }
        // The times: the start, the middle and the end of the span, under the bars.
        let axis = Self.top + plotHeight
        out += "<line x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.width - Self.right))\" y1=\"\(Self.number(axis))\" y2=\"\(Self.number(axis))\" stroke=\"currentColor\"/>\n"
        let span = Double(timeline.stretches.count * timeline.stretchSeconds)
        for (fraction, anchor) in [(0.0, "start"), (0.5, "middle"), (1.0, "end")] {
            let x = Self.left + fraction * plotWidth
            let time = timeline.from.addingTimeInterval(fraction * span)
            out += "<text x=\"\(Self.number(x))\" y=\"\(Self.number(axis + 18))\" text-anchor=\"\(anchor)\" font-size=\"12\" fill=\"currentColor\">\(clock(time))</text>\n"
        }
        out += "<text x=\"\(Self.number(Self.left + plotWidth / 2))\" y=\"\(Self.number(Self.height - 4))\" text-anchor=\"middle\" font-size=\"11\" fill=\"currentColor\">"
        out += "UTC, one bar per \(Self.duration(timeline.stretchSeconds))</text>\n</svg>"
        return out
    }

    /// The smallest of 1, 2 or 5 × 10ⁿ at or above `value` (at least 1), so the scale reads in round numbers.
    static func niceCeiling(_ value: Int) -> Int {
        guard value > 1 else { return 1 }
        var magnitude = 1
        while magnitude * 10 <= value { magnitude *= 10 }
        for step in [1, 2, 5, 10] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    static func duration(_ seconds: Int) -> String {
        switch seconds {
        case ..<60: return seconds == 1 ? "second" : "\(seconds) seconds"
        case ..<3600: return seconds == 60 ? "minute" : "\(seconds / 60) minutes"
        case ..<86400: return seconds == 3600 ? "hour" : "\(seconds / 3600) hours"
        default: return seconds == 86400 ? "day" : "\(seconds / 86400) days"
        }
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A time of day; with the date too when the campaign ran past a day.
    func clock(_ date: Date) -> String {
        let parts = Calendar.utc.dateComponents([.month, .day, .hour, .minute, .second], from: date)
        let time = String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
        guard timeline.stretches.count * timeline.stretchSeconds > 86400 else { return time }
        return String(format: "%02d-%02d ", parts.month ?? 0, parts.day ?? 0) + time.dropLast(3)
    }

}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
