import Foundation

/// The tensor core of moe-mm.
///
/// A `Tensor` is contiguous row-major Float32 storage with a shape. Views (`rows`, `[i]`,
/// `reshaped`) share storage, so slicing a batch or a sequence costs nothing. Tensors have
/// reference semantics on purpose: kernels write through `data`, layers keep the tensors their
/// backward needs, and no copy ever happens behind the caller's back.
///
/// Differentiation is layer-level, as in llm.c, not a tape: every kernel here comes as a
/// `…Forward`/`…Backward` pair, side by side, and every model layer (in `Model`) keeps
/// exactly what its backward reads. A new layer is one type with `forward`, `backward` and
/// its `parameters`; nothing else needs to know about it. A tape would buy generality this
/// code does not need and cost allocations and indirection on every op.
public struct Tensor: @unchecked Sendable, CustomStringConvertible {
    public let storage: TensorStorage
    public let offset: Int
    public private(set) var shape: [Int]

    /// A new zero-filled tensor.
    public init(zeros shape: [Int]) { self.init(shape, fill: 0) }

    /// A new tensor whose values are not set: for outputs a kernel writes in full (a GEMM with
    /// beta 0, a gather, an elementwise map), where zero-filling first is wasted work. With
    /// `MOEMM_POISON_UNINITIALIZED=1` (as `make test` runs) it is filled with NaN instead, so a
    /// read before the write turns into a failed test, not garbage.
    public init(uninitialized shape: [Int]) { self.init(shape, fill: Tensor.poisonsUninitialized ? .nan : nil) }

    private init(_ shape: [Int], fill: Float?) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        storage = TensorStorage(count: shape.reduce(1, *), fill: fill)
        offset = 0
        self.shape = shape
    }

    static let poisonsUninitialized = ProcessInfo.processInfo.environment["MOEMM_POISON_UNINITIALIZED"] == "1"

    public init(shape: [Int], values: [Float]) {
        self.init(zeros: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    public init(shape: [Int], repeating value: Float) {
        self.init(zeros: shape)
        data.update(repeating: value, count: count)
    }

    init(storage: TensorStorage, offset: Int, shape: [Int]) {
        self.storage = storage
        self.offset = offset
        self.shape = shape
    }

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    public var data: UnsafeMutablePointer<Float> { storage.pointer + offset }
    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: data, count: count) }
    public var array: [Float] { Array(buffer) }

    /// Rows × last dimension, the 2-D view most kernels work on.
    public var rows: Int { shape.count <= 1 ? 1 : count / shape.last! }
    public var cols: Int { shape.last ?? 1 }

    /// A view with another shape and the same number of elements.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(storage: storage, offset: offset, shape: newShape)
    }

    /// A view of `range` along the first axis.
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(!shape.isEmpty && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "slice \(range) out of bounds for shape \(shape)")
        let inner = shape.dropFirst().reduce(1, *)
        return Tensor(storage: storage, offset: offset + range.lowerBound * inner,
                      shape: [range.count] + shape.dropFirst())
    }

    /// A view of index `i` along the first axis (the rank drops by one).
    public subscript(i: Int) -> Tensor {
        precondition(!shape.isEmpty && i >= 0 && i < shape[0], "index \(i) out of bounds for shape \(shape)")
        let inner = Array(shape.dropFirst())
        return Tensor(storage: storage, offset: offset + i * inner.reduce(1, *), shape: inner)
    }

    /// A fresh tensor with the same shape and values.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.update(from: data, count: count)
        return t
    }

    public func fill(_ value: Float) { data.update(repeating: value, count: count) }
    public func zero() { fill(0) }
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy from \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    /// Throws a `ShapeError` naming both shapes when `shape != expected`.
    public func expectShape(_ expected: [Int], _ what: @autoclosure () -> String) throws {
        if shape != expected { throw ShapeError(what: what(), expected: expected, actual: shape) }
    }

    public var description: String {
        let shown = buffer.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(shown)\(count > 8 ? ", …" : "")]"
    }
}

/// Owns 64-byte aligned memory so SIMD loads and OpenBLAS see aligned rows.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let capacity: Int

    /// `fill` nil leaves the values as the allocator hands them back: Float is a trivial type,
    /// so binding without initialising is sound, and the kernels write before anything reads.
    init(count: Int, fill: Float?) {
        capacity = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if let fill { pointer.initialize(repeating: fill, count: max(count, 1)) }
    }

    deinit { pointer.deallocate() }
}

public struct ShapeError: Error, CustomStringConvertible {
    public let what: String
    public let expected: [Int]
    public let actual: [Int]
    public init(what: String, expected: [Int], actual: [Int]) {
        self.what = what; self.expected = expected; self.actual = actual
    }
    public var description: String { "\(what): expected shape \(expected), got \(actual)" }
}

extension Tensor {
    /// A transposed copy of a 2-D tensor (for moving between `[in, out]` and `[out, in]` layouts).
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a 2-D tensor, got \(shape)")
        let (r, c) = (shape[0], shape[1])
        let out = Tensor(zeros: [c, r])
        for i in 0..<r { for j in 0..<c { out.data[j * r + i] = data[i * c + j] } }
        return out
    }
}
