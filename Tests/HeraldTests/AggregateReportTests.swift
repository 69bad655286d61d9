import Foundation
import Store
import Testing
@testable import Herald

/// Complementary suppression (privacy promise 3): where a group's cells add up to the recipients the report shows
/// (each purpose's granted, revoked and never; the age bands), no hidden cell can be worked out from the shown
/// ones. Each test crafts counts with one cell under the floor and checks, by trying every value, that each hidden
/// cell could still be at least two values.
struct AggregateReportTests {
    static let year = 2026

    /// Counts with `recipients` people, the given consents, and birth years giving these age bands.
    static func counts(recipients: Int, consents: [Purpose: (Int, Int)] = [:], bands: [String: Int] = [:]) -> AggregateCounts {
        var counts = AggregateCounts()
        counts.recipients = recipients
        counts.consents = consents.mapValues { (granted: $0.0, revoked: $0.1) }
        let ages = ["13-17": 15, "18-24": 20, "25-34": 30, "35-44": 40, "45-54": 50, "55-64": 60, "65+": 70]
        for (band, count) in bands { counts.birthYears[ages[band].map { year - $0 }, default: 0] += count }
        return counts
    }

    /// For each hidden cell, every value it could have given the shown cells and the total, for each bound a reader
    /// may assume: every hidden cell under the floor (nothing was hidden for cover), or at most the smallest shown
    /// (a cover is the smallest there was). A bound the hidden sum exceeds is not the case and gives nothing.
    static func possibleValues(_ cells: [Int?], total: Int, minimumCell: Int) -> [[Int]] {
        let shown = cells.compactMap { $0 }
        let hiddenCount = cells.count - shown.count
        let hiddenSum = total - shown.reduce(0, +)
        var possible: [[Int]] = []
        for bound in [minimumCell - 1, max(minimumCell - 1, shown.min() ?? hiddenSum)] where hiddenSum <= hiddenCount * bound {
            possible += (0..<hiddenCount).map { _ in
                (0...bound).filter { value in hiddenSum - value >= 0 && hiddenSum - value <= (hiddenCount - 1) * bound }
            }
        }
        return possible
    }

    /// Every hidden cell of the group could be two values or more.
    static func expectUnderivable(_ cells: [Int?], total: Int, minimumCell: Int = 10, sourceLocation: SourceLocation = #_sourceLocation) {
        let hidden = cells.filter { $0 == nil }.count
        #expect(hidden != 1, "a single hidden cell is the total minus the others: \(cells)", sourceLocation: sourceLocation)
        for values in possibleValues(cells, total: total, minimumCell: minimumCell) {
            #expect(values.count >= 2, "a hidden cell of \(cells) can only be \(values)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Purpose.allCases) func aSmallRevokedCountIsNotTheRecipientsLessTheOthers(_ purpose: Purpose) {
        let report = AggregateReport(Self.counts(recipients: 100, consents: [purpose: (60, 3)]), minimumCell: 10, currentYear: Self.year)
        let cells = report.byPurpose[purpose.rawValue]!
        #expect(cells.granted == 60 && cells.revoked == nil && cells.never == nil, "never (37) covers revoked (3): \(cells)")
        Self.expectUnderivable([cells.granted, cells.revoked, cells.never], total: 100)
        // Without the cover, the 3 is 100 − 60 − 37: the check sees it.
        #expect(Self.possibleValues([60, nil, 37], total: 100, minimumCell: 10).allSatisfy { $0 == [3] })
    }

    @Test(arguments: Purpose.allCases) func aSmallGrantedOrNeverCountIsCoveredToo(_ purpose: Purpose) {
        let fewGranted = AggregateReport(Self.counts(recipients: 100, consents: [purpose: (4, 40)]), minimumCell: 10, currentYear: Self.year)
        let granted = fewGranted.byPurpose[purpose.rawValue]!
        #expect(granted.granted == nil && granted.revoked == nil && granted.never == 56, "\(granted)")
        Self.expectUnderivable([granted.granted, granted.revoked, granted.never], total: 100)

        let fewNever = AggregateReport(Self.counts(recipients: 100, consents: [purpose: (70, 25)]), minimumCell: 10, currentYear: Self.year)
        let never = fewNever.byPurpose[purpose.rawValue]!
        #expect(never.granted == 70 && never.revoked == nil && never.never == nil, "\(never)")
        Self.expectUnderivable([never.granted, never.revoked, never.never], total: 100)
    }

    @Test func everyoneInOneCellHidesThatCellToo() {
        // 12 granted, nobody revoked or never asked: shown, the 12 would tell that every recipient granted.
        let report = AggregateReport(Self.counts(recipients: 12, consents: [.productNews: (12, 0)]), minimumCell: 10, currentYear: Self.year)
        let cells = report.byPurpose["product-news"]!
        #expect(cells.granted == nil && cells.revoked == nil && cells.never == nil, "\(cells)")
        #expect(report.recipients == 12)
    }

    @Test func aSmallAgeBandIsNotTheRecipientsLessTheOtherBands() {
        let bands = ["18-24": 30, "25-34": 45, "35-44": 20, "45-54": 15, "55-64": 12, "65+": 11, "13-17": 3, "unknown": 14]
        let report = AggregateReport(Self.counts(recipients: 150, bands: bands), minimumCell: 10, currentYear: Self.year)
        #expect(report.byAgeBand["13-17"]! == nil && report.byAgeBand["65+"]! == nil, "the smallest band shown (11) covers 3: \(report.byAgeBand)")
        #expect(report.byAgeBand["55-64"]! == 12 && report.byAgeBand["25-34"]! == 45)
        let labels = AggregateReport.ageBands.map(\.label) + ["unknown"]
        Self.expectUnderivable(labels.map { report.byAgeBand[$0] ?? nil }, total: 150)
    }

    @Test func smallBandsWhoseValuesTheirSumGivesAwayAreCovered() {
        // Two bands of 9 hide 18 between them: each under 10, so both must be 9. And bands of 0: all must be 0.
        let nines = ["13-17": 9, "18-24": 15, "25-34": 50, "35-44": 40, "45-54": 30, "55-64": 20, "65+": 9, "unknown": 12]
        let report = AggregateReport(Self.counts(recipients: 185, bands: nines), minimumCell: 10, currentYear: Self.year)
        let labels = AggregateReport.ageBands.map(\.label) + ["unknown"]
        #expect(report.byAgeBand["unknown"]! == nil && report.byAgeBand["18-24"]! == 15, "\(report.byAgeBand)")
        Self.expectUnderivable(labels.map { report.byAgeBand[$0] ?? nil }, total: 185)

        let zeros = ["25-34": 50, "35-44": 40, "unknown": 30]
        let sparse = AggregateReport(Self.counts(recipients: 120, bands: zeros), minimumCell: 10, currentYear: Self.year)
        #expect(sparse.byAgeBand["unknown"]! == nil && sparse.byAgeBand["25-34"]! == 50, "\(sparse.byAgeBand)")
        Self.expectUnderivable(labels.map { sparse.byAgeBand[$0] ?? nil }, total: 120)
    }

    @Test func withTheTotalHiddenNothingIsCovered() {
        // Nine people: the total is hidden, and so is every cell (none can exceed it).
        let report = AggregateReport(Self.counts(recipients: 9, consents: [.promotions: (9, 0)], bands: ["25-34": 9]), minimumCell: 10, currentYear: Self.year)
        #expect(report.recipients == nil && report.byPurpose["promotions"]!.granted == nil && report.byAgeBand["25-34"]! == nil)
    }

    @Test func groupsWithoutAShownTotalOnlyHideSmallCells() {
        // A person may have several products, and neither suppressions nor messages add up to a total the report
        // shows: a hidden cell there is not the difference of shown ones, so only small cells are hidden.
        var counts = Self.counts(recipients: 100)
        counts.products = ["kronos": 60, "volca": 3, "minilogue": 40]
        counts.suppressions = [.bounced: 2, .manual: 20]
        counts.messages = [.sent: 90, .bounced: 2]
        let report = AggregateReport(counts, minimumCell: 10, currentYear: Self.year)
        #expect(report.byProduct == ["kronos": 60, "volca": nil, "minilogue": 40])
        #expect(report.suppressionsByReason == ["bounced": nil, "manual": 20])
        #expect(report.messagesByStatus == ["sent": 90, "bounced": nil])
    }

    @Test func cellsAtOrAboveTheFloorWithNothingHiddenAreAllShown() {
        let report = AggregateReport(Self.counts(recipients: 100, consents: [.productNews: (50, 20)]), minimumCell: 10, currentYear: Self.year)
        #expect(report.byPurpose["product-news"] == AggregateReport.ConsentCells(granted: 50, revoked: 20, never: 30))
    }
}
