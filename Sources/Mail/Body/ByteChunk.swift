/// Sixteen bytes, the unit of the vector scans over message bodies (quoted-printable, the DKIM body check).
///
/// Comparisons take whole chunks (`ByteChunk.space`, not `0x20`): the standard library's forms with a scalar
/// operand are not specialized here and run over a hundred times slower.
typealias ByteChunk = SIMD16<UInt8>

extension ByteChunk {
    static var tab: Self { Self(repeating: 0x09) }
    static var lf: Self { Self(repeating: 0x0A) }
    static var cr: Self { Self(repeating: 0x0D) }
    static var space: Self { Self(repeating: 0x20) }
    static var equals: Self { Self(repeating: UInt8(ascii: "=")) }
    /// "!", the first printable character after the space; `printableCount` of them follow, to "~".
    static var bang: Self { Self(repeating: 0x21) }
    static var printableCount: Self { Self(repeating: 0x7F - 0x21) }
}

extension SIMDMask where Storage == SIMD16<Int8> {
    /// True when any lane is set. Read as two words because the standard `any(_:)` is a lane-by-lane
    /// reduction here, many times slower than the comparisons it follows.
    var anySet: Bool {
        let words = unsafeBitCast(self, to: SIMD2<UInt64>.self)
        return words[0] | words[1] != 0
    }

    /// The index of the first lane set, or 16 when none is. Lanes are all ones or all zeros, and lane 0 is the
    /// lowest byte of the first word (both x86-64 and arm64 are little-endian).
    var firstSetLane: Int {
        let words = unsafeBitCast(self, to: SIMD2<UInt64>.self)
        if words[0] != 0 { return words[0].trailingZeroBitCount / 8 }
        if words[1] != 0 { return 8 + words[1].trailingZeroBitCount / 8 }
        return 16
    }
}

extension UnsafeRawPointer {
    func loadChunk(at offset: Int) -> ByteChunk {
        loadUnaligned(fromByteOffset: offset, as: ByteChunk.self)
    }
}
