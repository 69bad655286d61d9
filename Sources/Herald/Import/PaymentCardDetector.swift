/// Finds values that look like payment card numbers: 13 to 19 digits, optionally grouped by single spaces
/// or dashes, that pass the Luhn check. Herald never stores card data (promise 6), so a row holding one is
/// refused whole, and the number is never echoed.
public enum PaymentCardDetector {
    public static func containsCardNumber(_ text: String) -> Bool {
        var digits: [UInt8] = []
        var previousWasSeparator = false
        func candidateEnds() -> Bool {
            defer { digits.removeAll(keepingCapacity: true) }
            return (13...19).contains(digits.count) && passesLuhn(digits)
        }
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                digits.append(byte - 0x30)
                previousWasSeparator = false
            } else if (byte == 0x20 || byte == 0x2D) && !digits.isEmpty && !previousWasSeparator {
                previousWasSeparator = true
            } else {
                if candidateEnds() { return true }
                previousWasSeparator = false
            }
        }
        return candidateEnds()
    }

    static func passesLuhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if index % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }
}
