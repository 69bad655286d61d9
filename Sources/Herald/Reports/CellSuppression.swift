/// Which counts of one group of a report may be shown (privacy promise 3: aggregate only, small cells
/// suppressed). A count under the floor is hidden. When the group's counts add up to a total the reader is shown
/// (the age bands and each purpose's granted, revoked and never add up to the recipients), that is not enough:
/// one hidden count is the total minus the others. So, while any hidden count could still be worked out, the
/// smallest shown count is hidden too (complementary suppression).
///
/// What the reader can work out, knowing this rule: the hidden counts' sum S (the total minus the shown counts)
/// and a bound on each hidden count: under the floor when only small counts are hidden, and at most the smallest
/// shown count once one was hidden for cover (the cover is always the smallest there was). With k hidden counts,
/// each in 0...bound, one of them is certain exactly when k is 1, when S is 0 (all are 0), or when S is k times
/// the bound (all are at it); otherwise each could be at least two values.
enum CellSuppression {
    /// The counts as shown, nil where hidden. `partsOfShownTotal`: the counts add up to a total the reader sees.
    static func shown(_ counts: [Int], minimumCell: Int, partsOfShownTotal: Bool) -> [Int?] {
        var hidden = Set(counts.indices.filter { counts[$0] < minimumCell })
        if partsOfShownTotal && !hidden.isEmpty {
            var covered = false
            while isDerivable(hidden: hidden, counts: counts, minimumCell: minimumCell, covered: covered),
                  let smallest = counts.indices.filter({ !hidden.contains($0) }).min(by: { counts[$0] < counts[$1] }) {
                hidden.insert(smallest)
                covered = true
            }
        }
        return counts.indices.map { hidden.contains($0) ? nil : counts[$0] }
    }

    /// Whether some hidden count follows from the shown ones, their total, and the bound described above.
    static func isDerivable(hidden: Set<Int>, counts: [Int], minimumCell: Int, covered: Bool) -> Bool {
        let sum = hidden.reduce(0) { $0 + counts[$1] }
        if hidden.count == 1 || sum == 0 { return true }
        let smallestShown = counts.indices.filter { !hidden.contains($0) }.map { counts[$0] }.min()
        // Nothing shown and a cover hidden: the reader knows no bound but the sum itself.
        guard let bound = covered ? smallestShown.map { max($0, minimumCell - 1) } : minimumCell - 1 else { return false }
        return sum == hidden.count * bound
    }
}
