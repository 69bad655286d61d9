import Foundation
import Store

/// `herald report`: counts of groups only, never a person. A cell under `minimumCell` is suppressed
/// (reported as nil) so nobody can be picked out of a small group; totals are suppressed by the same rule.
/// Where a group's cells add up to the recipients shown (each purpose's granted, revoked and never; the age
/// bands), more cells are suppressed so that no hidden one is the total minus the others (`CellSuppression`).
/// Products (a person may have several), suppressions and messages add up to no total the report shows.
public struct AggregateReport: Sendable, Codable, Equatable {
    public static let ageBands: [(label: String, range: ClosedRange<Int>)] = [
        ("13-17", 13...17), ("18-24", 18...24), ("25-34", 25...34), ("35-44", 35...44),
        ("45-54", 45...54), ("55-64", 55...64), ("65+", 65...200),
    ]

    public struct ConsentCells: Sendable, Codable, Equatable {
        public var granted: Int?
        public var revoked: Int?
        public var never: Int?

        // A suppressed cell is written as null, not left out, so a script sees every cell it asked for.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(granted, forKey: .granted)
            try container.encode(revoked, forKey: .revoked)
            try container.encode(never, forKey: .never)
        }
    }

    public var minCell: Int
    public var recipients: Int?
    public var byPurpose: [String: ConsentCells]
    public var byProduct: [String: Int?]
    public var byAgeBand: [String: Int?]
    public var suppressionsByReason: [String: Int?]
    public var messagesByStatus: [String: Int?]

    public init(_ counts: AggregateCounts, minimumCell: Int, currentYear: Int) {
        func cell(_ value: Int) -> Int? { value >= minimumCell ? value : nil }
        minCell = minimumCell
        recipients = cell(counts.recipients)
        byPurpose = [:]
        let totalShown = recipients != nil
        for purpose in Purpose.allCases {
            let (granted, revoked) = counts.consents[purpose] ?? (0, 0)
            let shown = CellSuppression.shown([granted, revoked, counts.recipients - granted - revoked],
                                              minimumCell: minimumCell, partsOfShownTotal: totalShown)
            byPurpose[purpose.rawValue] = ConsentCells(granted: shown[0], revoked: shown[1], never: shown[2])
        }
        byProduct = counts.products.mapValues(cell)
        let labels = Self.ageBands.map(\.label) + ["unknown"]
        var bands: [String: Int] = Dictionary(uniqueKeysWithValues: labels.map { ($0, 0) })
        for (year, count) in counts.birthYears {
            let label = year.flatMap { year in Self.ageBands.first { $0.range.contains(currentYear - year) }?.label } ?? "unknown"
            bands[label, default: 0] += count
        }
        let shownBands = CellSuppression.shown(labels.map { bands[$0] ?? 0 }, minimumCell: minimumCell, partsOfShownTotal: totalShown)
        byAgeBand = Dictionary(uniqueKeysWithValues: zip(labels, shownBands))
        suppressionsByReason = Dictionary(uniqueKeysWithValues: counts.suppressions.map { ($0.key.rawValue, cell($0.value)) })
        messagesByStatus = Dictionary(uniqueKeysWithValues: counts.messages.map { ($0.key.rawValue, cell($0.value)) })
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(minCell, forKey: .minCell)
        try container.encode(recipients, forKey: .recipients)  // null when suppressed, like every other cell
        try container.encode(byPurpose, forKey: .byPurpose)
        try container.encode(byProduct, forKey: .byProduct)
        try container.encode(byAgeBand, forKey: .byAgeBand)
        try container.encode(suppressionsByReason, forKey: .suppressionsByReason)
        try container.encode(messagesByStatus, forKey: .messagesByStatus)
    }
}
