import ArgumentParser
import Herald

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Aggregate counts only (by purpose, product, age band, status); small cells are suppressed.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Machine-readable output; a suppressed cell is null.") var json = false
    @Option(name: .customLong("min-cell"), help: "Suppress every count under this.") var minCell = 10

    func validate() throws {
        guard minCell >= 1 else { throw ValidationError("--min-cell must be at least 1") }
    }

    func run() throws {
        try Terminal.run { () throws(HeraldError) in
            let report = try global.openApp().report(minimumCell: minCell)
            if json { return Terminal.say(Terminal.json(report)) }
            func show(_ value: Int?) -> String { value.map(String.init) ?? "<\(minCell)" }
            // Where cells add up to the recipients, a hidden one may be a larger cell hidden so that a small one
            // cannot be worked out (`AggregateReport`): "<10" would not be true of it, and every hidden cell there
            // must look the same.
            func showCovered(_ value: Int?) -> String { value.map(String.init) ?? "hidden" }
            func section(_ title: String, _ cells: [String: Int?], _ show: (Int?) -> String = show) -> [String] {
                guard !cells.isEmpty else { return ["\(title): none"] }
                return ["\(title):"] + cells.keys.sorted().map { "  \($0.padding(toLength: 18, withPad: " ", startingAt: 0)) \(show(cells[$0] ?? nil))" }
            }
            var lines = ["recipients: \(show(report.recipients))   (cells under \(minCell) are shown as <\(minCell); by purpose and age band as "
                         + "hidden, with the fewest others that keep them from being worked out)", "consent by purpose:"]
            for (purpose, cells) in report.byPurpose.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(purpose.padding(toLength: 18, withPad: " ", startingAt: 0)) granted \(showCovered(cells.granted))  "
                             + "revoked \(showCovered(cells.revoked))  never \(showCovered(cells.never))")
            }
            lines += section("by product", report.byProduct)
            lines += section("by age band", report.byAgeBand, showCovered)
            lines += section("suppressions by reason", report.suppressionsByReason)
            lines += section("messages by status", report.messagesByStatus)
            Terminal.say(lines.joined(separator: "\n"))
        }
    }
}
