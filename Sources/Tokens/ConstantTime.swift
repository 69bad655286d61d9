/// Comparing secrets and signatures without telling an attacker, by the time taken, how much of a guess was right.
public enum ConstantTime {
    /// Whether two byte strings are equal, in a time that depends on their length only.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
