import Kernels

/// Per-item random streams: item `index` of stream `stream` gets its own generator derived from
/// (seed, stream, index) alone, so items can be made on any core in any order with the same result.
public enum ItemRandom {
    /// A stable 64-bit code for a stream name (FNV-1a), independent of Swift's per-process hashing.
    static func code(_ stream: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in stream.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    public static func rng(seed: UInt64, stream: String, index: Int) -> SplitMix {
        var mixer = SplitMix(seed: seed ^ code(stream))
        let base = mixer.next()
        var item = SplitMix(seed: base &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
        return SplitMix(seed: item.next())
    }
}
