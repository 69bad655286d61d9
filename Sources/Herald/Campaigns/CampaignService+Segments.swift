import Foundation
import Store

/// A saved segment with how many people it reaches now for each kind of marketing mail.
public struct SegmentSize: Sendable, Equatable {
    public var segment: SavedSegment
    /// By kind (`product-news`, `promotion`): the audience a campaign of that kind would have now.
    public var sizes: [CampaignKind: Int]
}

extension CampaignService {
    /// A segment as typed: an expression (`product:kronos,attribute:country=DE`), the name of a saved one, or
    /// nothing (nil: everyone who agreed).
    public func segment(_ text: String?) throws(HeraldError) -> Segment? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if !text.contains(":") {
            let saved = try storage { () throws(StorageError) in try store.savedSegments() }
            guard let found = saved.first(where: { $0.name == text }) else {
                let names = saved.map(\.name).joined(separator: ", ")
                throw HeraldError(.usage, "no saved segment named '\(text)' (saved: \(names.isEmpty ? "none" : names)); a segment is terms such as product:NAME")
            }
            let segment = try Segment.parse(found.expression)
            try check(segment)
            return segment
        }
        let segment = try Segment.parse(text)
        try check(segment)
        return segment
    }

    /// Saves `expression` under `name` (replacing one of that name): lower-case letters, digits, `-` and `_`.
    public func saveSegment(name: String, expression: String) throws(HeraldError) -> SegmentSize {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) || ("0"..."9").contains(first), name.utf8.count <= 60,
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            throw HeraldError(.usage, "segment name '\(name)': use lower-case letters, digits, - and _ (at most 60), starting with a letter or digit")
        }
        let segment = try Segment.parse(expression)
        try check(segment)
        let saved = SavedSegment(name: name, expression: segment.description, savedAt: clock())
        try storage { () throws(StorageError) in try store.saveSegment(saved) }
        return try size(of: saved)
    }

    public func removeSegment(name: String) throws(HeraldError) {
        guard try storage({ () throws(StorageError) in try store.removeSegment(named: name) }) else {
            throw HeraldError(.notFound, "no saved segment named '\(name)'")
        }
    }

    /// Every saved segment with its sizes, by name.
    public func savedSegments() throws(HeraldError) -> [SegmentSize] {
        var sizes: [SegmentSize] = []
        for saved in try storage({ () throws(StorageError) in try store.savedSegments() }) { sizes.append(try size(of: saved)) }
        return sizes
    }

    private func size(of saved: SavedSegment) throws(HeraldError) -> SegmentSize {
        // A segment saved before a personal field was dropped from the configuration reaches nobody by it.
        let segment = try? Segment.parse(saved.expression)
        var sizes: [CampaignKind: Int] = [:]
        for kind in [CampaignKind.productNews, .promotion] {
            sizes[kind] = try segment.map { (segment) throws(HeraldError) in try audienceSize(kind: kind, segment: segment) } ?? 0
        }
        return SegmentSize(segment: saved, sizes: sizes)
    }
}
