import Kernels

/// Sequences packed end to end in one `[N, d]` matrix, without padding: a segment is one
/// sequence's rows. Attention runs within each segment; every other layer sees plain rows.
public struct Segment: Sendable, Equatable {
    /// First row of the segment in the packed matrix.
    public var start: Int
    public var length: Int
    /// Position of the segment's first row within its sequence (non-zero when decoding with a cache).
    public var position: Int

    public init(start: Int, length: Int, position: Int = 0) {
        self.start = start; self.length = length; self.position = position
    }

    /// Consecutive segments of the given lengths, each starting at position 0.
    public static func packed(_ lengths: [Int]) -> [Segment] {
        var start = 0
        return lengths.map { n in defer { start += n }; return Segment(start: start, length: n) }
    }
}

/// Blocks of rows of `x`, block i `lengths[i]` rows from row `starts[i]`, packed one after another.
func gatherBlocks(_ x: Tensor, starts: [Int], lengths: [Int]) -> Tensor {
    let d = x.cols
    let out = Tensor(uninitialized: [lengths.reduce(0, +), d])
    var row = 0
    for (start, n) in zip(starts, lengths) {
        (out.data + row * d).update(from: x.data + start * d, count: n * d)
        row += n
    }
    return out
}

/// The inverse of `gatherBlocks`: packed block i goes to rows `starts[i]...` of `x`; other rows are left alone.
func scatterBlocks(_ packed: Tensor, starts: [Int], lengths: [Int], into x: Tensor) {
    let d = x.cols
    var row = 0
    for (start, n) in zip(starts, lengths) {
        (x.data + start * d).update(from: packed.data + row * d, count: n * d)
        row += n
    }
}

/// Keys and values of one sequence, kept across decoding steps (already rotated).
public final class KVCache {
    public let keys: Tensor    // [capacity, d]
    public let values: Tensor  // [capacity, d]
    public private(set) var count = 0

    public init(capacity: Int, d: Int) {
        keys = Tensor(zeros: [capacity, d])
        values = Tensor(zeros: [capacity, d])
    }

    func append(keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>, rows: Int) {
        let d = keys.cols
        precondition(count + rows <= keys.rows, "KV cache holds \(keys.rows) positions, need \(count + rows)")
        (keys.data + count * d).update(from: k, count: rows * d)
        (values.data + count * d).update(from: v, count: rows * d)
        count += rows
    }

    /// Becomes a copy of `other`, copying only the positions it holds (beam search's reordering).
    public func copy(from other: KVCache) {
        reset()
        append(keys: other.keys.data, values: other.values.data, rows: other.count)
    }

    /// Forgets everything (the buffers are reused).
    public func reset() { count = 0 }
}
