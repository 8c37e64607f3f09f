import Foundation

/// A safetensors file, memory-mapped and fully validated on open.
///
/// Opening checks the header the way the reference library does (every tensor's dtype, shape
/// and byte range, and that the ranges tile the data buffer exactly), so a later `tensor(_:)`
/// only fails for a name the file does not have or a dtype it cannot convert.
public struct SafeTensorsFile: @unchecked Sendable {
    public let url: URL
    /// The free-form string map stored under `__metadata__` (empty when absent).
    public let metadata: [String: String]
    /// Tensor names in the order their bytes appear in the file.
    public let names: [String]

    private let entries: [String: Entry]
    private let file: MappedFile  // keeps the mapping alive as long as `buffer` is used
    private let buffer: UnsafeRawPointer

    struct Entry {
        let dtype: DType
        let shape: [Int]
        let count: Int
        let begin: Int
        let end: Int
    }

    /// Maps and validates the file at `url`; throws a `SafeTensorsError` naming what is wrong.
    public init(contentsOf url: URL) throws {
        self.url = url
        file = try MappedFile(path: url.path)
        let path = url.path
        func fail(_ problem: String) -> SafeTensorsError { SafeTensorsError(file: path, problem) }

        guard file.count >= 8, let base = file.base else {
            throw fail("file is \(file.count) bytes, too short for the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(file.count - 8) else {
            throw fail("header length \(headerLength) is larger than the \(file.count - 8) bytes after it (truncated file?)")
        }
        let dataStart = 8 + Int(headerLength)
        buffer = base + dataStart
        let header = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base + 8), count: Int(headerLength), deallocator: .none)
        (metadata, entries) = try Self.parseHeader(header, fail)
        names = try Self.checkLayout(entries, bufferSize: file.count - dataStart, fail)
    }

    /// The dtype and shape of `name`, or nil when the file has no such tensor.
    public func info(_ name: String) -> (dtype: DType, shape: [Int])? {
        entries[name].map { ($0.dtype, $0.shape) }
    }

    /// A new Float tensor with the values of `name`, converted from F32, F16, BF16, F64, I64 or I32.
    public func tensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        let out = Tensor(zeros: e.shape)
        let src = buffer + e.begin
        let dst = out.data
        switch e.dtype {
        case .F32:
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: e.count * 4)
        case .F16:
            for i in 0..<e.count { dst[i] = floatFromHalf(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .BF16:
            for i in 0..<e.count {
                dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
            }
        case .F64:
            for i in 0..<e.count {
                dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        case .I64:
            for i in 0..<e.count { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .I32:
            for i in 0..<e.count { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        default:
            throw SafeTensorsError(file: url.path, "tensor '\(name)' is \(e.dtype.rawValue), which is not read as Float (F32, F16, BF16, F64, I64, I32 are)")
        }
        return out
    }

    /// The values of an I64 (or I32) tensor `name`, flattened in row-major order.
    public func int64s(_ name: String) throws -> [Int64] {
        let e = try entry(name)
        let src = buffer + e.begin
        switch e.dtype {
        case .I64: return (0..<e.count).map { Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .I32: return (0..<e.count).map { Int64(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
        default: throw SafeTensorsError(file: url.path, "tensor '\(name)' is \(e.dtype.rawValue), not I64 or I32")
        }
    }

    private func entry(_ name: String) throws -> Entry {
        guard let e = entries[name] else {
            throw SafeTensorsError(file: url.path, "no tensor named '\(name)' (the file has \(names.count) tensors)")
        }
        return e
    }

    /// Decodes the JSON header into the metadata map and one entry per tensor.
    private static func parseHeader(_ header: Data, _ fail: (String) -> SafeTensorsError) throws
        -> ([String: String], [String: Entry])
    {
        guard String(data: header, encoding: .utf8) != nil else { throw fail("header is not valid UTF-8") }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: header) } catch { throw fail("header is not valid JSON") }
        guard let object = json as? [String: Any] else { throw fail("header is not a JSON object") }

        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail("__metadata__ is not an object of strings") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let fields = value as? [String: Any] else { throw fail("tensor '\(name)' is not a JSON object") }
            guard let dtypeName = fields["dtype"] as? String else { throw fail("tensor '\(name)' has no dtype string") }
            guard let dtype = DType(rawValue: dtypeName) else { throw fail("tensor '\(name)' has unknown dtype '\(dtypeName)'") }
            guard let shape = naturals(fields["shape"]) else {
                throw fail("tensor '\(name)' shape is not a list of non-negative integers")
            }
            guard let offsets = naturals(fields["data_offsets"]), offsets.count == 2 else {
                throw fail("tensor '\(name)' data_offsets is not a pair of non-negative integers")
            }
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("tensor '\(name)' shape \(shape) overflows") }
                count = product
            }
            guard !count.multipliedReportingOverflow(by: dtype.size).overflow else {
                throw fail("tensor '\(name)' shape \(shape) overflows")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, count: count, begin: offsets[0], end: offsets[1])
        }
        return (metadata, entries)
    }

    /// Checks that the tensors' byte ranges tile `0..<bufferSize` exactly, in offset order, each
    /// as long as its dtype and shape need; returns the names in that order.
    private static func checkLayout(_ entries: [String: Entry], bufferSize: Int,
                                    _ fail: (String) -> SafeTensorsError) throws -> [String] {
        let ordered = entries.sorted { ($0.value.begin, $0.value.end, $0.key) < ($1.value.begin, $1.value.end, $1.key) }
        var covered = 0
        var previous: String?
        for (name, e) in ordered {
            let range = "data_offsets [\(e.begin),\(e.end)]"
            if e.end < e.begin { throw fail("tensor '\(name)' \(range) end before they begin") }
            if e.begin < covered {
                throw fail("tensor '\(name)' \(range) overlap tensor '\(previous!)', which ends at \(covered)")
            }
            if e.begin > covered {
                throw fail("tensor '\(name)' \(range) leave a gap after byte \(covered) of the data buffer")
            }
            if e.end > bufferSize {
                throw fail("tensor '\(name)' \(range) run past the end of the \(bufferSize)-byte data buffer")
            }
            let needed = e.count * e.dtype.size
            if e.end - e.begin != needed {
                throw fail("tensor '\(name)' has \(e.end - e.begin) bytes but \(spelled(e.dtype, e.shape)) needs \(needed)")
            }
            covered = e.end
            previous = name
        }
        if covered != bufferSize {
            throw fail("tensors cover \(covered) bytes but the data buffer has \(bufferSize) (trailing bytes)")
        }
        return ordered.map(\.key)
    }
}

/// A JSON list of non-negative integers, or nil.
private func naturals(_ value: Any?) -> [Int]? {
    guard let list = value as? [Any] else { return nil }
    var out: [Int] = []
    for item in list {
        guard let n = item as? Int, n >= 0 else { return nil }
        out.append(n)
    }
    return out
}

/// IEEE half-precision bits to Float, subnormals, infinities and NaN included.
func floatFromHalf(_ bits: UInt16) -> Float {
    let sign = UInt32(bits >> 15) << 31
    let exponent = UInt32(bits >> 10) & 0x1f
    let mantissa = UInt32(bits) & 0x3ff
    switch exponent {
    case 0:  // zero or subnormal: mantissa · 2^-24
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 0x1f:
        return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13)
    default:
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
}
