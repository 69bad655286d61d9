import Synchronization

/// The plans a catalog has made, one per template and shape of the recipient's values. A shape that the
/// check refused is remembered too, so that it is not tried again for every recipient.
final class RenderPlans: Sendable {
    struct Key: Hashable {
        let template: String
        let shape: String
        /// Which personal values are empty: an empty string is falsy in a section, a placeholder is not.
        let empty: [Bool]
    }

    enum Entry: Sendable {
        case planned(subject: RenderPlan, text: RenderPlan, html: RenderPlan)
        case renderEachTime
    }

    /// Enough for every shape of a few campaigns (a plan holds its template's text, ~45 KB for the 22 KB bench
    /// message); a flood of shapes empties it rather than growing it.
    static let capacity = 256

    private let entries = Mutex<[Key: Entry]>([:])

    func entry(for key: Key) -> Entry? {
        entries.withLock { $0[key] }
    }

    func store(_ entry: Entry, for key: Key) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
    }
}
